// How the contract tests reach this project's worker: bundled with esbuild and run in real workerd
// through miniflare (the engine `wrangler dev` uses), with its SESSIONS binding simulated locally, on
// an ephemeral port; or an already running server when TASKCHAIN_URL (and TASKCHAIN_TOKEN) are set.
import { build } from "esbuild";
// Miniflare 5 (wrangler's own) takes a new options shape; its converter keeps these options in the
// documented Miniflare 4 form.
import { convertV4MiniflareOptions as v4, Miniflare } from "miniflare";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sessionsBinding } from "./sessions-binding.ts";
import { externalTarget, LOCAL_TOKEN, type Target } from "./target-shared.ts";

export type { Target } from "./target-shared.ts";

const entry = fileURLToPath(new URL("../src/server.ts", import.meta.url));

/** wrangler.jsonc's compatibility_date: the tests run the worker under the same date it deploys with. */
export const COMPATIBILITY_DATE = compatibilityDate(readFileSync(new URL("../wrangler.jsonc", import.meta.url), "utf8"));

function compatibilityDate(wranglerJsonc: string): string {
  const date = /"compatibility_date"\s*:\s*"([^"]+)"/.exec(wranglerJsonc)?.[1];
  if (date === undefined) throw new Error("wrangler.jsonc has no compatibility_date");
  return date;
}

/** The worker as one ES module, the way wrangler bundles it: the runtime's own modules (`cloudflare:…`) stay imports. */
export async function bundleWorker(): Promise<string> {
  const result = await build({ entryPoints: [entry], bundle: true, format: "esm", platform: "browser", conditions: ["workerd", "worker", "browser"], external: ["cloudflare:*"], target: "es2022", write: false, logLevel: "silent" });
  return result.outputFiles[0]!.text;
}

/** The worker in workerd with `bindings` as its vars and fresh local SESSIONS. */
export async function startWorker(bindings: Record<string, string>): Promise<{ url: string; mf: Miniflare }> {
  const mf = new Miniflare(v4({
    modules: true,
    script: await bundleWorker(),
    compatibilityDate: COMPATIBILITY_DATE,
    bindings,
    ...sessionsBinding,
    host: "127.0.0.1",
    port: 0,
  }));
  const url = await mf.ready;
  return { url: url.origin, mf };
}

export async function startTarget(): Promise<Target> {
  const external = externalTarget();
  if (external) return external;
  const { url, mf } = await startWorker({ TASKCHAIN_TOKEN: LOCAL_TOKEN });
  return { url, token: LOCAL_TOKEN, close: () => mf.dispose() };
}

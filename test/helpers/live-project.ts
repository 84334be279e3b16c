// Setup shared by the suites that drive the built CLI against generated projects served for real
// (simulate, verify): the runtimes under test, and a project started by `npm start`. The CLI is the
// one `npm test` built first: a suite that rebuilt dist/ would pull it from under the others running.
import path from "node:path";
import { commitNewProject } from "../../src/fs/changeset.js";
import { generateProject } from "../../src/generate/project.js";
import { RUNTIMES, type ProjectSpec, type Runtime } from "../../src/spec/spec.js";
import { freePort, installProject, serve, tempDir, type Served } from "./project.js";

/** Every runtime the CLI generates, each served by its own `npm start`; SIM_E2E_RUNTIMES=node,… narrows it. */
export const RUNTIMES_UNDER_TEST = (process.env.SIM_E2E_RUNTIMES ?? RUNTIMES.join(",")).split(",").map((r) => r.trim()) as Runtime[];
for (const r of RUNTIMES_UNDER_TEST) if (!RUNTIMES.includes(r)) throw new Error(`SIM_E2E_RUNTIMES: unknown runtime ${r}`);

/** `npm start` on a free 127.0.0.1 port: $PORT for the node-based runtimes, wrangler's flags for cloudflare. */
export async function startProject(runtime: Runtime, dir: string, token: string): Promise<Served> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  if (runtime === "cloudflare") {
    // wrangler dev: no network (no Request.cf download, no telemetry); the token as a dev var.
    const quiet = { CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
    return serve("npm", ["start", "--", "--ip", "127.0.0.1", "--port", String(port), "--var", `TASKCHAIN_TOKEN:${token}`], dir, quiet, url, 120_000);
  }
  return serve("npm", ["start"], dir, { PORT: String(port), HOST: "127.0.0.1", TASKCHAIN_TOKEN: token, REDIS_URL: undefined }, url);
}

/** `spec` generated into a new temp folder (`<prefix>…/<runtime>`), installed, and started with `token`. */
export async function startGenerated(prefix: string, spec: ProjectSpec, token: string): Promise<{ dir: string; served: Served }> {
  const dir = path.join(tempDir(prefix), spec.runtime);
  await commitNewProject(generateProject(spec, dir));
  installProject(dir);
  return { dir, served: await startProject(spec.runtime, dir, token) };
}

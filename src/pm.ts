// Package managers and git: which one ran us, the commands the next steps show, and running them
// after the project is on disk (never before: a failure here leaves the project in place).
import { spawn, spawnSync } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";
import { isOneOf } from "./one-of.js";

export const PACKAGE_MANAGERS = ["npm", "pnpm", "yarn", "bun"] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

/** `pnpm/9.1.0 npm/? node/v20.20.2 linux x64` → pnpm. Anything unknown → npm. */
export function detectPackageManager(userAgent: string | undefined = process.env.npm_config_user_agent): PackageManager {
  const name = userAgent?.split(" ")[0]?.split("/")[0];
  return isOneOf(PACKAGE_MANAGERS, name) ? name : "npm";
}

/** Is `command` an executable on PATH? Looked up, not run: a spawn would cost a scaffold more than it does. */
export function onPath(command: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const exts = process.platform === "win32" ? (env.PATHEXT ?? ".EXE;.CMD;.BAT;.COM").split(";") : [""];
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const file = path.join(dir, command + ext);
      try {
        accessSync(file, constants.X_OK);
        if (statSync(file).isFile()) return true;
      } catch {
        // not here
      }
    }
  }
  return false;
}

export function installCommand(pm: PackageManager): string {
  return pm === "yarn" ? "yarn" : `${pm} install`;
}

/** `npm run dev`, `pnpm dev`, `yarn dev`, `bun run dev` (`bun test` would run bun's own runner). */
export function runScript(pm: PackageManager, script: string): string {
  if (pm === "npm") return script === "test" || script === "start" ? `npm ${script}` : `npm run ${script}`;
  if (pm === "bun") return `bun run ${script}`;
  return `${pm} ${script}`;
}

export interface CommandResult {
  ok: boolean;
  /** The last lines of the command's output, for the error report. */
  output: string;
  /** Set when the command could not be started at all (not installed). */
  missing?: boolean;
  /** Set when Ctrl-C (or a SIGTERM) stopped it. */
  interrupted?: boolean;
}

/** Runs `pm install` in `dir` asynchronously (a spinner keeps turning), collecting its output. */
export function install(pm: PackageManager, dir: string): Promise<CommandResult> {
  const args = pm === "npm" ? ["install", "--no-audit", "--no-fund"] : pm === "yarn" ? [] : ["install"];
  return new Promise((resolve) => {
    let output = "";
    let interrupted = false;
    const child = spawn(pm, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: process.env });
    // Ctrl-C reaches the package manager itself (one process group); a signal sent to this process
    // alone is passed on. Either way the install stops and the caller reports it: no orphan keeps
    // writing node_modules after the CLI has exited.
    const stop = (signal: NodeJS.Signals) => {
      interrupted = true;
      child.kill(signal);
      // Done when it exits: a grandchild that outlives it may hold its output open (no "close").
      if (child.exitCode !== null || child.signalCode !== null) finish({ ok: false, output: tail(output) });
      else child.once("exit", () => finish({ ok: false, output: tail(output) }));
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    let finished = false;
    const finish = (result: CommandResult) => {
      if (finished) return;
      finished = true;
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(interrupted ? { ...result, ok: false, interrupted } : result);
    };
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.once("error", (error: NodeJS.ErrnoException) =>
      finish({ ok: false, output: error.code === "ENOENT" ? `${pm} is not installed` : error.message, missing: error.code === "ENOENT" }),
    );
    child.once("close", (code) => finish({ ok: code === 0, output: tail(output) }));
  });
}

function tail(text: string, lines = 15): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

function git(args: string[], cwd: string): { ok: boolean; output: string; missing: boolean } {
  const r = spawnSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const missing = (r.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
  return { ok: r.status === 0, output: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim(), missing };
}

export type GitOutcome = "committed" | "initialised" | "no-identity" | "inside-repository" | "unavailable" | "failed";

/**
 * `git init` + a first commit. Skipped inside an existing work tree (the project is part of that
 * repository) and when git is not installed; without a configured identity the repository stays
 * initialised with every file staged: the commit is the user's to make, under their own name.
 */
export function gitInit(dir: string): { outcome: GitOutcome; detail?: string } {
  const inside = git(["rev-parse", "--is-inside-work-tree"], path.resolve(dir));
  if (inside.missing) return { outcome: "unavailable" };
  if (inside.ok && inside.output === "true") return { outcome: "inside-repository" };
  const init = git(["init", "--quiet"], dir);
  if (!init.ok) return { outcome: "failed", detail: init.output.split("\n")[0] };
  const add = git(["add", "-A"], dir);
  if (!add.ok) return { outcome: "initialised", detail: add.output.split("\n")[0] };
  const commit = git(["commit", "--quiet", "--no-verify", "-m", "Initial commit from create-taskchain"], dir);
  if (!commit.ok) {
    if (/Please tell me who you are|Author identity unknown/.test(commit.output)) return { outcome: "no-identity" };
    return { outcome: "initialised", detail: commit.output.split("\n").find((l) => l.trim()) ?? "git commit failed" };
  }
  return { outcome: "committed" };
}

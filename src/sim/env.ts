// The settings simulate and verify share with the project's dev server. The generated server reads
// `.env` when it starts and `wrangler dev` reads `.dev.vars`, the environment winning in both; these
// defaults do the same, so `npm run simulate` finds the server (PORT, HOST) and passes its token.
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";
import { UserError } from "../errors.js";

export interface ProjectEnv {
  /** The environment over the project's env files. */
  vars: Record<string, string | undefined>;
  /** Names taken from a file (not the environment): a token from there stays on this machine. */
  fromFile: Set<string>;
  /** The port the project's dev server listens on by default: wrangler dev's 8787 on cloudflare. */
  devPort: number;
}

/** The runtime package.json's "taskchain" names, when `cwd` is a generated project. */
function projectRuntime(cwd: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(path.join(cwd, "package.json"), "utf8")) as { taskchain?: { runtime?: unknown } };
    return typeof pkg.taskchain?.runtime === "string" ? pkg.taskchain.runtime : undefined;
  } catch {
    return undefined; // not a project (simulate and verify also run against any URL from anywhere)
  }
}

/** `.env` and `.dev.vars` of `cwd` (when there), under the process environment. */
export function projectEnv(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): ProjectEnv {
  const vars: Record<string, string | undefined> = {};
  for (const file of [".env", ".dev.vars"]) {
    let text: string;
    try {
      text = readFileSync(path.join(cwd, file), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "EISDIR") continue;
      throw new UserError(`cannot read ${file}: ${(error as Error).message}`);
    }
    Object.assign(vars, parseEnv(text));
  }
  const fromFile = new Set(Object.keys(vars).filter((name) => env[name] === undefined));
  return { vars: { ...vars, ...env }, fromFile, devPort: projectRuntime(cwd) === "cloudflare" ? 8787 : 3000 };
}

/** Where the dev server listens: $TASKCHAIN_URL, else http://<HOST or localhost>:<PORT or the runtime's dev port>. */
export function defaultUrl({ vars, devPort }: ProjectEnv): string {
  if (vars.TASKCHAIN_URL) return vars.TASKCHAIN_URL;
  const host = !vars.HOST || vars.HOST === "0.0.0.0" || vars.HOST === "::" ? "localhost" : vars.HOST;
  return `http://${host.includes(":") ? `[${host}]` : host}:${vars.PORT || devPort}`;
}

/** What defaultUrl() built its URL from, for an error about it. */
export function defaultUrlSource({ vars }: ProjectEnv): string {
  return vars.TASKCHAIN_URL ? "TASKCHAIN_URL" : "HOST and PORT (environment or .env)";
}

function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The token to send: --token, else $TASKCHAIN_TOKEN. One read from the project's env file is the
 * local dev server's, so it goes to a loopback URL, or to the address the same files give the dev
 * server (their HOST or TASKCHAIN_URL, with no --url): never to a host named with --url.
 */
export function defaultToken(env: ProjectEnv, base: URL, urlGiven = true): string | undefined {
  const token = env.vars.TASKCHAIN_TOKEN || undefined;
  if (!token || !env.fromFile.has("TASKCHAIN_TOKEN") || isLoopback(base)) return token;
  return !urlGiven && env.fromFile.has(env.vars.TASKCHAIN_URL ? "TASKCHAIN_URL" : "HOST") ? token : undefined;
}

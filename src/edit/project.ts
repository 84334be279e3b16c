// An existing generated project: found by its package.json "taskchain" key.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { UserError } from "../errors.js";
import { recover } from "../fs/journal.js";
import { baseUrlProblem, normalizeBaseUrl } from "../spec/base-url.js";

export interface TaskchainProject {
  root: string;
  baseUrl: string;
  /** package.json "taskchain" settings as written. */
  settings: Record<string, unknown>;
}

/**
 * The nearest package.json at or above `cwd` must carry a "taskchain" key. A commit a kill
 * interrupted is finished (or discarded) before anything is read: settings read first would be
 * stale once the journal rolls forward (e.g. the old baseUrl after an interrupted `chain --base-url`).
 */
export async function openProject(cwd: string): Promise<TaskchainProject> {
  const root = projectRoot(cwd);
  await recover(root);
  const pkgPath = path.join(root, "package.json");
  let pkg: unknown;
  try {
    pkg = JSON.parse(readFileSync(pkgPath, "utf8"));
  } catch {
    throw new UserError(`${pkgPath} is not valid JSON`);
  }
  const settings = (pkg as { taskchain?: unknown } | null)?.taskchain;
  if (!settings || typeof settings !== "object") {
    throw new UserError(`not a taskchain project: ${pkgPath} has no "taskchain" key (run this inside a project made by create-taskchain, or pass --cwd)`);
  }
  const s = settings as Record<string, unknown>;
  const baseUrl = typeof s.baseUrl === "string" && s.baseUrl ? s.baseUrl : "";
  return { root, baseUrl, settings: s };
}

function projectRoot(cwd: string): string {
  const start = path.resolve(cwd);
  if (!existsSync(start)) throw new UserError(`${start} does not exist`);
  for (let dir = start; ; ) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new UserError(`not a taskchain project: no package.json in ${start} or above (pass --cwd <project>)`);
    dir = up;
  }
}

export function readText(root: string, rel: string): string | undefined {
  try {
    return readFileSync(path.join(root, rel), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** The endpoint base: an explicit --base-url (chain only), else the project's configured one. */
export function baseUrlFor(project: TaskchainProject, explicit?: string, takesFlag = false): string {
  const base = explicit ?? project.baseUrl;
  if (!base) throw new UserError(`no base URL: package.json "taskchain".baseUrl is not set; set it (like "https://hooks.example.com")${takesFlag ? " or pass --base-url" : ""}`);
  // The same rules as create's: chain.json (and package.json) must never carry a token or
  // credentials, and a new base is written in the form create writes it.
  const problem = baseUrlProblem(base);
  if (problem) throw new UserError(explicit !== undefined ? `--base-url ${problem}` : `package.json "taskchain".baseUrl ${problem}`);
  return explicit !== undefined ? normalizeBaseUrl(explicit) : base;
}

/**
 * package.json with "taskchain".baseUrl set to `url`: the one string value replaced in place, so
 * the rest of the file keeps its bytes. Undefined when the value cannot be located safely.
 */
export function withBaseUrl(pkgText: string, url: string): string | undefined {
  const at = pkgText.indexOf('"taskchain"');
  if (at < 0) return undefined;
  const re = /("baseUrl"\s*:\s*)"(?:[^"\\]|\\.)*"/y;
  for (let i = pkgText.indexOf('"baseUrl"', at); i >= 0; i = pkgText.indexOf('"baseUrl"', i + 1)) {
    re.lastIndex = i;
    const m = re.exec(pkgText);
    if (!m) continue;
    const next = pkgText.slice(0, i) + m[1] + JSON.stringify(url) + pkgText.slice(i + m[0].length);
    try {
      const before = JSON.parse(pkgText) as { taskchain?: Record<string, unknown> };
      const after = JSON.parse(next) as { taskchain?: Record<string, unknown> };
      if (after.taskchain?.baseUrl === url && JSON.stringify({ ...after, taskchain: { ...after.taskchain, baseUrl: null } }) === JSON.stringify({ ...before, taskchain: { ...before.taskchain, baseUrl: null } })) return next;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

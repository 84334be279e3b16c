// Every command that writes goes through a ChangeSet: first built in memory (so --dry-run, conflict
// checks and the real write are one mechanism), then committed so that a failure, an exception,
// Ctrl-C or a kill never leaves a half-written target.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { mkdir, readdir, rename, rm, rmdir, stat } from "node:fs/promises";
import path from "node:path";
import { UserError } from "../errors.js";

export type Change =
  | { kind: "create"; path: string; content: string; mode?: number }
  | { kind: "update"; path: string; content: string; before: string }
  | { kind: "delete"; path: string; before: string };

/** Paths are project-relative, forward-slashed, and may not leave the root. */
export function normalizeRelative(p: string): string {
  const norm = path.posix.normalize(p.replace(/\\/g, "/"));
  if (norm.startsWith("../") || norm === ".." || path.posix.isAbsolute(norm) || norm === ".") {
    throw new Error(`change set path escapes the project: ${p}`);
  }
  return norm;
}

export class ChangeSet {
  readonly #changes = new Map<string, Change>();

  constructor(readonly root: string) {}

  create(file: string, content: string, mode?: number): this {
    const p = normalizeRelative(file);
    if (this.#changes.has(p)) throw new Error(`change set already has ${p}`);
    this.#changes.set(p, mode === undefined ? { kind: "create", path: p, content } : { kind: "create", path: p, content, mode });
    return this;
  }

  /** Replace a file whose current content is `before` (checked again at commit time). */
  update(file: string, before: string, content: string): this {
    const p = normalizeRelative(file);
    const existing = this.#changes.get(p);
    if (existing?.kind === "create") {
      this.#changes.set(p, { ...existing, content });
      return this;
    }
    const original = existing?.kind === "update" ? existing.before : before;
    if (original === content) this.#changes.delete(p);
    else this.#changes.set(p, { kind: "update", path: p, content, before: original });
    return this;
  }

  delete(file: string, before: string): this {
    const p = normalizeRelative(file);
    const existing = this.#changes.get(p);
    if (existing?.kind === "create") this.#changes.delete(p);
    else this.#changes.set(p, { kind: "delete", path: p, before: existing?.kind === "update" ? existing.before : before });
    return this;
  }

  /** The content a path will have after this change set, if the set touches it. */
  pending(file: string): string | null | undefined {
    const change = this.#changes.get(normalizeRelative(file));
    if (!change) return undefined;
    return change.kind === "delete" ? null : change.content;
  }

  get changes(): Change[] {
    // Code-unit order: localeCompare's first call loads ICU collation data, a cost every command paid.
    return [...this.#changes.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  get size(): number {
    return this.#changes.size;
  }
}

/** Is `dir` absent or an empty directory? */
export async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    const s = await stat(dir);
    if (!s.isDirectory()) return false;
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw error;
  }
}

/** While a commit runs, Ctrl-C waits for it (finishing is quicker and safer than undoing). */
export async function withSignalsDeferred<T>(work: () => Promise<T>): Promise<T> {
  let interrupted: NodeJS.Signals | undefined;
  const hold = (signal: NodeJS.Signals) => {
    interrupted = signal;
  };
  process.on("SIGINT", hold);
  process.on("SIGTERM", hold);
  try {
    return await work();
  } finally {
    process.off("SIGINT", hold);
    process.off("SIGTERM", hold);
    if (interrupted) process.kill(process.pid, interrupted);
  }
}

/** Synchronous on purpose: dozens of small files, each three thread-pool round trips when async (~20% of a scaffold). */
function writeTree(root: string, changes: Change[]): void {
  const dirs = new Set(changes.map((c) => path.dirname(path.join(root, c.path))));
  for (const dir of dirs) mkdirSync(dir, { recursive: true });
  for (const change of changes) {
    if (change.kind === "delete") continue;
    writeFileSync(path.join(root, change.path), change.content, change.kind === "create" && change.mode ? { mode: change.mode } : {});
  }
}

/**
 * Commit a project that does not exist yet: everything is written to a hidden sibling folder,
 * then renamed into place in one step, so the target is either absent/empty or complete.
 */
export async function commitNewProject(set: ChangeSet, hooks: CommitHooks = {}): Promise<void> {
  const target = path.resolve(set.root);
  if (!(await isEmptyDir(target))) throw new UserError(`${target} is not empty`);
  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  const prefix = `.${path.basename(target)}.taskchain-`;
  // A create killed mid-write (SIGKILL) leaves its staging folder behind: it was never the target.
  for (const entry of await readdir(parent)) {
    if (entry.startsWith(prefix) && /^[0-9a-f]{8}$/.test(entry.slice(prefix.length))) await rm(path.join(parent, entry), { recursive: true, force: true });
  }
  // Only needs to be unlikely to collide (mkdir fails if it does); Math.random spares loading node:crypto (~5% of a scaffold).
  const staging = path.join(parent, `${prefix}${Math.floor(Math.random() * 0x1_0000_0000).toString(16).padStart(8, "0")}`);
  await withSignalsDeferred(async () => {
    try {
      await mkdir(staging);
      writeTree(staging, set.changes);
      await hooks.beforeApply?.();
      if (existsSync(target)) await rmdir(target); // empty, checked above; rename cannot replace a directory
      await rename(staging, target);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
  });
}

export interface CommitHooks {
  /** Test seam: runs after staging and before the first change reaches the target. */
  beforeApply?: () => Promise<void> | void;
  /** Test seam: runs after the n-th change has been applied in place. */
  afterApplyStep?: (n: number) => Promise<void> | void;
}

/** The dry-run report: one line per created or deleted file, a unified diff per edited one. */
export async function describeChanges(set: ChangeSet, options: { diff?: boolean } = {}): Promise<string> {
  const lines: string[] = [];
  const { createTwoFilesPatch } = options.diff ? await import("diff") : { createTwoFilesPatch: undefined };
  for (const change of set.changes) {
    if (change.kind === "create") lines.push(`create  ${change.path}`);
    else if (change.kind === "delete") lines.push(`delete  ${change.path}`);
    else {
      lines.push(`update  ${change.path}`);
      if (createTwoFilesPatch) {
        const patch = createTwoFilesPatch(`a/${change.path}`, `b/${change.path}`, change.before, change.content, undefined, undefined, { context: 3 });
        lines.push(...patch.split("\n").slice(1).filter((l, i, all) => i < all.length - 1 || l !== ""));
      }
    }
  }
  return lines.join("\n");
}

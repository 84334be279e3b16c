// Every command that writes goes through a ChangeSet: first built in memory (so --dry-run, conflict
// checks and the real write are one mechanism), then committed so that a failure, an exception,
// Ctrl-C or a kill never leaves a half-written target.
import { existsSync, lstatSync, mkdirSync, writeFileSync } from "node:fs";
import { mkdir, readFile, readdir, rename, rm, rmdir, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { UserError } from "../errors.js";

export type Change =
  | { kind: "create"; path: string; content: string; mode?: number }
  | { kind: "update"; path: string; content: string; before: string }
  | { kind: "delete"; path: string; before: string };

/** The journal folder of an in-place commit, inside the project root. */
export const TXN_DIR = ".taskchain-txn";
/** Where a finished journal is moved to be deleted (see dropJournal). */
export const RETIRED_TXN_DIR = `${TXN_DIR}.done`;
const MANIFEST = "manifest.json";
/** The manifest of a commit being rolled back: a kill resumes the rollback, never the commit. */
const ROLLBACK = "rollback.json";

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
async function withSignalsDeferred<T>(work: () => Promise<T>): Promise<T> {
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

interface Manifest {
  changes: Array<{ kind: Change["kind"]; path: string; staged?: string; backup?: string; mode?: number }>;
  /** Folders the commit creates (deepest last), so a rollback removes exactly those. */
  createdDirs?: string[];
}

/**
 * Commit into an existing folder (add-link, chain, --force): a journal under `.taskchain-txn/`
 * holds the new contents and backups of what they replace. Writing its manifest is the commit
 * point: before it nothing changed; after it, `recover()` can always finish the job. An error
 * while applying restores the backups.
 */
export async function commitInPlace(set: ChangeSet, hooks: CommitHooks = {}): Promise<void> {
  const root = path.resolve(set.root);
  await recover(root);
  const changes = set.changes;
  if (changes.length === 0) return;

  // Conflict check: the disk must still hold what the change set was computed from.
  for (const change of changes) {
    const file = path.join(root, change.path);
    if (change.kind === "create") {
      if (existsSync(file)) throw new UserError(`${change.path} already exists`);
    } else {
      let current: string;
      try {
        current = await readFile(file, "utf8");
      } catch {
        throw new UserError(`${change.path} disappeared while the change was being prepared`);
      }
      if (current !== change.before) throw new UserError(`${change.path} changed on disk while the change was being prepared; run the command again`);
    }
  }

  const txn = path.join(root, TXN_DIR);
  await withSignalsDeferred(async () => {
    const manifest: Manifest = { changes: [], createdDirs: missingDirs(root, changes) };
    try {
      await rm(txn, { recursive: true, force: true });
      await mkdir(path.join(txn, "staged"), { recursive: true });
      await mkdir(path.join(txn, "backup"), { recursive: true });
      let i = 0;
      for (const change of changes) {
        const entry: Manifest["changes"][number] = { kind: change.kind, path: change.path };
        if (change.kind !== "delete") {
          entry.staged = `staged/${i}`;
          await writeFile(path.join(txn, entry.staged), change.content, change.kind === "create" && change.mode ? { mode: change.mode } : {});
          if (change.kind === "create" && change.mode) entry.mode = change.mode;
        }
        if (change.kind !== "create") {
          entry.backup = `backup/${i}`;
          await writeFile(path.join(txn, entry.backup), change.before);
        }
        manifest.changes.push(entry);
        i++;
      }
      await writeFile(path.join(txn, `${MANIFEST}.tmp`), JSON.stringify(manifest));
      await hooks.beforeApply?.();
    } catch (error) {
      await rm(txn, { recursive: true, force: true });
      throw error;
    }
    await rename(path.join(txn, `${MANIFEST}.tmp`), path.join(txn, MANIFEST)); // the commit point

    try {
      let n = 0;
      for (const entry of manifest.changes) {
        await applyEntry(root, txn, entry);
        await hooks.afterApplyStep?.(++n);
      }
    } catch (error) {
      await rollBack(root, txn, manifest);
      throw error;
    }
    await dropJournal(root);
  });
}

/**
 * Deletes a journal whose work is done (applied or rolled back). It is renamed away first, in one
 * step: deleted in place, file by file, a kill could leave it without its manifest after every
 * change was applied, or with its manifest but without the staged files a roll-forward needs.
 */
async function dropJournal(root: string): Promise<void> {
  const done = path.join(root, RETIRED_TXN_DIR);
  await rm(done, { recursive: true, force: true });
  await rename(path.join(root, TXN_DIR), done);
  await rm(done, { recursive: true, force: true });
}

async function applyEntry(root: string, txn: string, entry: Manifest["changes"][number]): Promise<void> {
  const file = path.join(root, entry.path);
  if (entry.kind === "delete") {
    await unlink(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
    await removeEmptyParents(root, path.dirname(file));
    return;
  }
  const staged = path.join(txn, entry.staged!);
  if (!existsSync(staged)) return; // already applied before an interruption
  await mkdir(path.dirname(file), { recursive: true });
  await rename(staged, file);
}

/** Project-relative folders that creating these files would add, parents first. */
function missingDirs(root: string, changes: Change[]): string[] {
  const missing = new Set<string>();
  for (const change of changes) {
    if (change.kind !== "create") continue;
    let dir = path.posix.dirname(change.path);
    const chain: string[] = [];
    while (dir !== "." && !existsSync(path.join(root, dir))) {
      chain.unshift(dir);
      dir = path.posix.dirname(dir);
    }
    for (const d of chain) missing.add(d);
  }
  return [...missing].sort((a, b) => a.split("/").length - b.split("/").length);
}

async function rollBack(root: string, txn: string, manifest: Manifest): Promise<void> {
  if (existsSync(path.join(txn, MANIFEST))) await rename(path.join(txn, MANIFEST), path.join(txn, ROLLBACK));
  for (const entry of manifest.changes) {
    const file = path.join(root, entry.path);
    if (entry.kind === "create") await rm(file, { force: true });
    else {
      await mkdir(path.dirname(file), { recursive: true }); // a delete may have taken its folder
      await writeFile(file, await readFile(path.join(txn, entry.backup!), "utf8"));
    }
  }
  for (const dir of [...(manifest.createdDirs ?? [])].reverse()) await rmdir(path.join(root, dir)).catch(() => undefined);
  await dropJournal(root);
}

async function removeEmptyParents(root: string, dir: string): Promise<void> {
  while (dir.startsWith(root + path.sep)) {
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch (error) {
      // Already removed: a delete rolled forward after a kill that came after its folder went.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      dir = path.dirname(dir);
      continue;
    }
    if (entries.length > 0) return;
    await rmdir(dir);
    dir = path.dirname(dir);
  }
}

/**
 * Finish or discard a commit that a kill interrupted: a journal with a manifest is rolled
 * forward (the commit point was passed); one being rolled back is rolled back to the end; one
 * without either is discarded (nothing was applied).
 */
export async function recover(root: string): Promise<"none" | "rolled-forward" | "rolled-back" | "discarded"> {
  const txn = path.join(root, TXN_DIR);
  // A finished journal a kill left on its way out: nothing in it is needed any more.
  if (existsSync(path.join(root, RETIRED_TXN_DIR))) await rm(path.join(root, RETIRED_TXN_DIR), { recursive: true, force: true });
  try {
    if (!lstatSync(txn).isDirectory()) return "none";
  } catch {
    return "none";
  }
  const read = async (name: string) => {
    try {
      return JSON.parse(await readFile(path.join(txn, name), "utf8")) as Manifest;
    } catch {
      return undefined;
    }
  };
  const rollback = await read(ROLLBACK);
  if (rollback) {
    await rollBack(root, txn, rollback);
    return "rolled-back";
  }
  const manifest = await read(MANIFEST);
  if (!manifest) {
    await rm(txn, { recursive: true, force: true });
    return "discarded";
  }
  for (const entry of manifest.changes) await applyEntry(root, txn, entry);
  await dropJournal(root);
  return "rolled-forward";
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

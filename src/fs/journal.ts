// Committing into a folder that exists (an edit, or create --force): a journal inside the root
// records each change and what it replaces, so a failure rolls back and a kill is finished or
// undone by recover() at the next command.
import { existsSync, lstatSync } from "node:fs";
import { mkdir, readFile, readdir, rename, rm, rmdir, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { UserError } from "../errors.js";
import { withSignalsDeferred, type Change, type ChangeSet, type CommitHooks } from "./changeset.js";

/** The journal folder of an in-place commit, inside the project root. */
export const TXN_DIR = ".taskchain-txn";
/** Where a finished journal is moved to be deleted (see dropJournal). */
export const RETIRED_TXN_DIR = `${TXN_DIR}.done`;
const MANIFEST = "manifest.json";
/** The manifest of a commit being rolled back: a kill resumes the rollback, never the commit. */
const ROLLBACK = "rollback.json";


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

// Writing the project: one change set, committed atomically into a new folder or in place (an
// existing empty folder, or a full one with --force), with what a failure leaves taken away again.
import { existsSync, readFileSync, statSync } from "node:fs";
import { rmdir } from "node:fs/promises";
import path from "node:path";
import { UserError } from "../errors.js";
import { ChangeSet, commitNewProject, isEmptyDir, type CommitHooks } from "../fs/changeset.js";
import { commitInPlace, recover } from "../fs/journal.js";
import { mergeGitignore, mergePackageJson } from "../generate/project.js";
import type { Target } from "../spec/target.js";

/** Turns the plain "create everything" set into edits of what already sits in a --force target. */
function overExisting(set: ChangeSet, root: string): ChangeSet {
  const out = new ChangeSet(root);
  for (const change of set.changes) {
    if (change.kind !== "create") continue;
    const file = path.join(root, change.path);
    if (!existsSync(file)) {
      out.create(change.path, change.content, change.mode);
      continue;
    }
    if (!statSync(file).isFile()) throw new UserError(`${change.path} exists in the target and is not a file; move it away first`);
    const before = readFileSync(file, "utf8");
    // Replacing these would lose the user's dependencies and scripts, or stop ignoring their secrets.
    const merged = change.path === "package.json" ? mergePackageJson(before, change.content) : change.path === ".gitignore" ? mergeGitignore(before, change.content) : change.content;
    out.update(change.path, before, merged);
  }
  return out;
}

/** `src/links/a.ts` → ["src", "src/links"]. */
function ancestors(file: string): string[] {
  const parts = file.split("/").slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join("/"));
}

/** A file-system refusal while writing, as the one line it deserves (not "unexpected error"). */
function writeError(error: unknown, display: string): unknown {
  const e = error as NodeJS.ErrnoException;
  if (error instanceof UserError || typeof e?.code !== "string" || !/^E[A-Z]+$/.test(e.code) || typeof e.message !== "string") return error;
  // "EACCES: permission denied, mkdir '/x/.p.taskchain-1a2b3c4d'": the staging path means nothing to the user.
  const why = e.message.replace(/^E[A-Z]+: /, "").replace(/, \w+ '.*$/s, "");
  return new UserError(`cannot write ${display}: ${why} (${e.code}); nothing was written`);
}

/**
 * The change set for `set` in `target`: as it is for a new or empty folder, as edits of what sits
 * there with --force (refused without it).
 */
export async function planWrite(set: ChangeSet, target: Target, force: boolean): Promise<{ set: ChangeSet; inPlace: boolean }> {
  // A folder that exists (empty, or full with --force) is written in place, keeping its inode: a
  // shell sitting in it (`create-taskchain .`) still sees the project afterwards.
  const inPlace = existsSync(target.root);
  // A create a kill interrupted in this folder is finished or discarded first, so the folder is
  // judged (and --force edits it) as it really is, not with a journal or half the files in it.
  if (inPlace) await recover(target.root);
  if (inPlace && !(await isEmptyDir(target.root))) {
    if (!force) throw new UserError(`${target.display} is not empty: pick a new directory, or pass --force to write into it`);
    return { set: overExisting(set, target.root), inPlace };
  }
  return { set, inPlace };
}

/** Commits the planned set; on failure, the folders it made are removed and the error is one line. */
export async function writeProject(set: ChangeSet, target: Target, inPlace: boolean, hooks?: CommitHooks): Promise<void> {
  if (inPlace) {
    // The journal rolls files back; folders it had to create for them are removed here.
    const newDirs = [...new Set(set.changes.flatMap((c) => ancestors(c.path)))].filter((d) => !existsSync(path.join(target.root, d)));
    try {
      await commitInPlace(set, hooks);
    } catch (error) {
      for (const dir of newDirs.sort((a, b) => b.length - a.length)) await rmdir(path.join(target.root, dir)).catch(() => undefined);
      throw writeError(error, target.display);
    }
  } else {
    // commitNewProject creates missing parents (`a/b/project`); a failure takes them away again.
    const missing: string[] = [];
    for (let dir = path.dirname(target.root); !existsSync(dir); dir = path.dirname(dir)) missing.push(dir);
    try {
      await commitNewProject(set, hooks);
    } catch (error) {
      for (const dir of missing) await rmdir(dir).catch(() => undefined);
      throw writeError(error, target.display);
    }
  }
}

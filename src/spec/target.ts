// The project directory create writes to, checked before anything is asked or written, and the
// package name it gives the project.
import { lstatSync, readdirSync, realpathSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { UserError } from "../errors.js";
import { RETIRED_TXN_DIR, TXN_DIR } from "../fs/journal.js";

/**
 * `My Chain!` → `my-chain`: a name npm accepts for a new package (validate-npm-package-name's
 * validForNewPackages) from a folder name.
 */
export function packageNameFrom(base: string): string {
  const name = base
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    // `~` is URL-safe but no longer allowed in new package names.
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[._-]+/, "")
    .replace(/-+/g, "-")
    .replace(/-+$/, "")
    .slice(0, 214);
  if (name === "" || name === "node_modules" || name === "favicon.ico") return "taskchain-webhook";
  // A core module's name (`http`, `test`) is refused for new packages too.
  return builtinModules.includes(name) ? `${name}-webhook` : name;
}

export interface Target {
  /** Absolute path. */
  root: string;
  /** How to cd into it from cwd, for the next steps. */
  display: string;
  /** Does it exist with something in it? */
  nonEmpty: boolean;
  packageName: string;
}

/**
 * Checks the project directory before anything is asked or written. A relative path must stay
 * inside cwd (`../x` and `a/../../x` escape it); an absolute one may not climb with `..`. The
 * target and its parents must not be symbolic links that would land the project elsewhere.
 */
export function resolveTarget(dir: string, cwd: string, force: boolean): Target {
  if (dir.trim() === "") throw new UserError("the project directory must not be empty");
  if (dir.includes("\0")) throw new UserError("the project directory contains a NUL character");
  const segments = dir.split(/[\\/]+/);
  const root = path.resolve(cwd, dir);
  if (path.isAbsolute(dir)) {
    if (segments.includes("..")) throw new UserError(`${dir} climbs out with "..": pass the directory without ".." segments`);
  } else {
    const rel = path.relative(cwd, root);
    if (rel === ".." || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
      throw new UserError(`${dir} is outside the current directory: cd to where the project should go, or pass an absolute path`);
    }
  }
  let nonEmpty = false;
  try {
    const st = lstatSync(root);
    if (st.isSymbolicLink()) throw new UserError(`${dir} is a symbolic link: pass the directory it points to`);
    if (!st.isDirectory()) throw new UserError(`${dir} exists and is a file, not a directory`);
    // A journal here is a write a kill interrupted, with whatever it had applied: create finishes
    // or discards it first and only then judges the folder.
    const entries = readdirSync(root);
    nonEmpty = entries.length > 0 && !entries.includes(TXN_DIR) && !entries.includes(RETIRED_TXN_DIR);
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR") throw new UserError(`${dir}: a parent of it is a file`);
    if (code !== "ENOENT") throw new UserError(`cannot use ${dir}: ${(error as Error).message}`);
    // Absent: its nearest existing parent must be a directory and where the path says it is.
    let parent = path.dirname(root);
    for (;;) {
      try {
        const st = lstatSync(parent);
        if (!st.isDirectory() && !st.isSymbolicLink()) throw new UserError(`${dir}: ${parent} is a file, not a directory`);
        break;
      } catch (inner) {
        if (inner instanceof UserError) throw inner;
        if ((inner as NodeJS.ErrnoException).code !== "ENOENT") throw new UserError(`cannot use ${dir}: ${(inner as Error).message}`);
        parent = path.dirname(parent);
      }
    }
  }
  if (nonEmpty && !force) throw new UserError(`${dir} is not empty: pick a new directory, or pass --force to write into it`);
  // A relative path whose parents are symlinks to elsewhere escapes cwd after all.
  if (!path.isAbsolute(dir)) {
    let existing = root;
    while (!exists(existing)) existing = path.dirname(existing);
    const real = realpathSync(existing);
    const realCwd = realpathSync(cwd);
    if (real !== realCwd && !real.startsWith(realCwd + path.sep)) {
      throw new UserError(`${dir} leads outside the current directory through a symbolic link`);
    }
  }
  const rel = path.relative(cwd, root);
  const display = rel === "" ? "." : path.isAbsolute(dir) ? root : rel;
  return { root, display, nonEmpty, packageName: packageNameFrom(path.basename(root)) };
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

// Templates are plain folders: `.ejs` files are rendered (and lose the suffix), the rest are copied.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ejs from "ejs";
import { helpers } from "./helpers.js";
import { templatesDir } from "./paths.js";

export type TemplateData = Record<string, unknown>;

const compiled = new Map<string, ejs.TemplateFunction>();

/** Render one template file (path relative to templates/). Compiled once per process. */
export function render(template: string, data: TemplateData): string {
  let fn = compiled.get(template);
  if (!fn) {
    const file = templatesDir(template);
    // Code, not HTML: nothing is escaped; user text goes through h.str() in the templates.
    fn = ejs.compile(readFileSync(file, "utf8"), { filename: file, escape: (s: unknown) => String(s) });
    compiled.set(template, fn);
  }
  return fn({ h: helpers, ...data });
}

function walk(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...walk(path.join(dir, entry.name), rel));
    else out.push(rel);
  }
  return out.sort();
}

// npm renames a published .gitignore to .npmignore, so ignore files live in templates as `_name`.
const IGNORE_FILES = new Set(["_gitignore", "_dockerignore"]);

/** Output name of a template file: `_gitignore` → `.gitignore`, `x.ts.ejs` → `x.ts`. */
export function outputName(rel: string): string {
  const base = path.posix.basename(rel);
  let name = base.endsWith(".ejs") ? base.slice(0, -4) : base;
  if (IGNORE_FILES.has(name)) name = `.${name.slice(1)}`;
  const dir = path.posix.dirname(rel);
  return dir === "." ? name : `${dir}/${name}`;
}

/** Files named `_partial.*` are fragments other templates include; they are never written. */
function isPartial(rel: string): boolean {
  return path.posix.basename(rel).startsWith("_partial.");
}

/** Every file of a template folder (relative to templates/), rendered: output path → content. */
export function renderFolder(folder: string, data: TemplateData, include: (rel: string) => boolean = () => true): Map<string, string> {
  const out = new Map<string, string>();
  const root = templatesDir(folder);
  let files: string[];
  try {
    files = walk(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return out;
    throw error;
  }
  for (const rel of files) {
    if (isPartial(rel) || !include(rel)) continue;
    const template = `${folder}/${rel}`;
    out.set(outputName(rel), rel.endsWith(".ejs") ? render(template, data) : readFileSync(templatesDir(template), "utf8"));
  }
  return out;
}

/** A partial's rendered text, or "" when the folder has none. */
export function renderPartial(template: string, data: TemplateData): string {
  try {
    return render(template, data);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw error;
  }
}

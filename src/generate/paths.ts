import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/** The package root (holds templates/): found by walking up, so it works from src/ and from dist/. */
export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "templates", "base"))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error("create-taskchain: cannot find its templates/ folder");
    dir = up;
  }
  return (root = dir);
}

export function templatesDir(...parts: string[]): string {
  return path.join(packageRoot(), "templates", ...parts);
}

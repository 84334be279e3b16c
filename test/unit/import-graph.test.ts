// src/'s folders depend on each other one way: a folder that imports another is never imported
// back by it, directly or through a third. A file at the top of src/ (cli.ts, errors.ts) is a
// node of its own.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../../src");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full) : entry.name.endsWith(".ts") ? [full] : [];
  });
}

const node = (file: string) => path.relative(SRC, path.dirname(file)) || path.basename(file);

/** node → the nodes it imports (static, dynamic and type imports alike), with one file that does. */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of files(SRC)) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/\bfrom\s+"(\.[^"]+)"|\bimport\(\s*"(\.[^"]+)"\s*\)/g)) {
      const target = path.resolve(path.dirname(file), (m[1] ?? m[2])!).replace(/\.js$/, ".ts");
      const [from, to] = [node(file), node(target)];
      if (from === to) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      if (!graph.get(from)!.has(to)) graph.get(from)!.set(to, `${path.relative(SRC, file)} → ${path.relative(SRC, target)}`);
    }
  }
  return graph;
}

function reaches(graph: Map<string, Map<string, string>>, from: string, to: string, seen = new Set<string>()): boolean {
  if (from === to) return true;
  if (seen.has(from)) return false;
  seen.add(from);
  return [...(graph.get(from)?.keys() ?? [])].some((next) => reaches(graph, next, to, seen));
}

describe("imports between src/ folders", () => {
  it("form no circle", () => {
    const graph = folderGraph();
    expect(graph.get("edit")?.has("spec"), "the graph is read at all").toBe(true);
    const circles = [...graph].flatMap(([from, tos]) => [...tos].filter(([to]) => reaches(graph, to, from)).map(([, why]) => why));
    expect(circles).toEqual([]);
  });
});

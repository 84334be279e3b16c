// The runtime a generated project owns is read in one sitting: no function in it is longer than a
// screen. The ShipStation example is sample code for the user to cut down, not runtime.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Node, Project } from "ts-morph";
import { describe, expect, it } from "vitest";

const TEMPLATES = path.resolve(import.meta.dirname, "../../templates");
const MAX_LINES = 50;

function runtimeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return ["examples", "test", "node_modules"].includes(entry.name) ? [] : runtimeFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

describe("the generated runtime", () => {
  it(`has no function over ${MAX_LINES} lines`, () => {
    const project = new Project({ useInMemoryFileSystem: true });
    const files = runtimeFiles(TEMPLATES);
    expect(files.length).toBeGreaterThan(20);
    const long: string[] = [];
    for (const file of files) {
      const source = project.createSourceFile(path.relative(TEMPLATES, file), readFileSync(file, "utf8"));
      source.forEachDescendant((node) => {
        if (!Node.isFunctionLikeDeclaration(node)) return;
        const lines = node.getEndLineNumber() - node.getStartLineNumber() + 1;
        if (lines > MAX_LINES) long.push(`${source.getFilePath().slice(1)}:${node.getStartLineNumber()} (${lines} lines)`);
      });
    }
    expect(long).toEqual([]);
  });
});

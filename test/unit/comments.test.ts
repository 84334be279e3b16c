// Comments say why the code is as it is; the tracker and past benchmark runs are not where a
// reader of this code looks, so a comment that points there explains nothing.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const FOLDERS = ["src", "test", "bench"];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : files(full);
    return /\.(ts|mts|mjs|js)$/.test(entry.name) ? [full] : [];
  });
}

/** The comment text of a line: after `//`, or a line of a block comment. */
function comment(line: string): string | undefined {
  const trimmed = line.trim();
  if (/^(\/\*|\*)/.test(trimmed)) return trimmed;
  const at = line.indexOf("// ");
  return at >= 0 && !/:\/\/ ?$/.test(line.slice(0, at + 2)) ? line.slice(at) : undefined;
}

/** Test names as written: `it("…"`, `describe("…"`. */
function testName(line: string): string | undefined {
  return /\b(?:it|test|describe)(?:\.\w+)*\(\s*["'`]([^"'`]*)/.exec(line)?.[1];
}

const HISTORY = [/\bissues?\s*#?\d+/i, /(^|[\s(])#\d+\b/, /\bbars?\b.*\b(issue|round)\b/i];

describe("comments and test names", () => {
  it("name no issue numbers", () => {
    const found: string[] = [];
    for (const folder of FOLDERS) {
      for (const file of files(path.join(ROOT, folder))) {
        readFileSync(file, "utf8")
          .split("\n")
          .forEach((line, i) => {
            const text = [comment(line), testName(line)].filter(Boolean).join(" ");
            if (HISTORY.some((re) => re.test(text))) found.push(`${path.relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
          });
      }
    }
    expect(found).toEqual([]);
  });
});

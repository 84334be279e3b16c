// Each protocol concept and each helper that names things in messages is defined once in src/:
// two copies drift (two link-name patterns, two samplers that disagreed on an open bound of 1e17).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatPath } from "../../src/format-path.js";
import { LINK_NAME_RE } from "../../src/spec/names.js";
import { LINK_NAME_PATTERN } from "../../templates/base/src/taskchain/protocol.js";

const SRC = path.resolve(import.meta.dirname, "../../src");

function sources(dir: string): Array<{ file: string; text: string }> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith(".ts") ? [{ file: path.relative(SRC, full), text: readFileSync(full, "utf8") }] : [];
  });
}

/** The files of src/ where `pattern` matches. */
function where(pattern: RegExp): string[] {
  return sources(SRC)
    .filter(({ text }) => pattern.test(text))
    .map(({ file }) => file)
    .sort();
}

describe("one definition in src/", () => {
  it("of the outcomes, the link-name pattern, the samplers, formatPath and oneLine", () => {
    expect(where(/["']qualified["'],\s*["']disqualified["'],\s*["']interrupt["']/)).toEqual(["protocol/outcomes.ts"]);
    expect(where(/\bfunction (numberSample|stringSample)\b/)).toEqual(["protocol/samples.ts"]);
    expect(where(/\bfunction sampleValue\b/)).toEqual(["protocol/samples.ts"]);
    expect(where(/\bfunction formatPath\b/)).toEqual(["format-path.ts"]);
    expect(where(/\bfunction oneLine\b/)).toEqual(["report.ts"]);
    // A regex literal for link names: a lowercase letter, then letters, digits and underscores.
    expect(where(/\/\^\[a-z\](\[a-z0-9_\]|\(\?)/)).toEqual(["spec/names.ts"]);
  });

  it("the CLI's link names are the runtime's (Agent4's) that start with a letter, as identifiers and file names need", () => {
    const names = fc.stringMatching(/^[a-zA-Z0-9_-]{0,8}$/);
    fc.assert(fc.property(names, (name) => LINK_NAME_RE.test(name) === (LINK_NAME_PATTERN.test(name) && /^[a-z]/.test(name))));
  });

  it("formatPath names a place the same way for every file the CLI reads", () => {
    expect(formatPath([])).toBe("");
    expect(formatPath(["links", 1, "qualified_parameters", "properties", "pin code", "type"])).toBe('links[1].qualified_parameters.properties["pin code"].type');
    expect(formatPath([0, "endpoint"])).toBe("[0].endpoint");
  });
});

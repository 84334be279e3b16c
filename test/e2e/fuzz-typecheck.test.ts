// A sample of hostile inputs, type-checked for real: the built CLI makes projects from spec files
// full of quotes, backticks, `${`, `*/`, line separators, reserved words and unicode; each one
// installs (cached), passes `tsc --noEmit` (strict) and the most hostile one its own tests too,
// so the contract tests send and parse every hostile parameter name over HTTP.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { expectProjectGreen, installProject, run, runCli, tempDir } from "../helpers/project.js";

const NASTY = ["'", '"', "`", "${x}", "*/", "/*", "// @ts-nocheck", "\\", "\u2028", "\u2029", "line\nbreak", "tab\tx", "\u0000", "😀", "e\u0301", "日本語", "\u202e", "</script>"];

function props(entries: Array<[string, Record<string, unknown>]>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

/** The hand-picked worst case: every nasty text in every place a user's text reaches code. */
const worst = {
  runtime: "node",
  baseUrl: "https://hooks.example.com/a'b\"c`d${e}",
  trigger: NASTY.join(" "),
  links: [
    {
      name: "constructor",
      prompt: NASTY.join("|"),
      qualified_parameters: {
        properties: props([
          ["constructor", { type: "string", description: "`${process.exit(1)}` */ /*" }],
          ["toString", { type: "integer", description: "'\"`" }],
          ["a b", { type: "number" }],
          ["${x}", { type: "boolean", description: "\u2028\u2029" }],
          ["*/", { type: "string", enum: NASTY.filter((v) => v !== "\u0000"), description: "enum of nasty values" }],
          ["日本語", { type: "string", description: "unicode key" }],
          ["hasOwnProperty", { type: "string" }],
        ]),
        required: ["constructor", "*/", "a b"],
      },
      disqualified_parameters: { properties: { "'reason'": { type: "string", description: "*/ reason /*" } }, required: ["'reason'"] },
      interrupt_parameters: { properties: {}, required: [] },
    },
    { name: "class", prompt: "`${`", qualified_parameters: { properties: props([["\\", { type: "string" }]]), required: ["\\"] } },
    { name: "await", prompt: "*/" },
    { name: "default" },
  ],
};

/** A few random specs from a fixed seed: random text from every unicode plane in every slot. */
function randomSpecs(n: number): unknown[] {
  const text = fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: "binary", minLength: 1, maxLength: 12 }));
  const block = fc.uniqueArray(fc.tuple(text.filter((t) => t !== "__proto__"), fc.constantFrom("string", "number", "integer", "boolean"), text), { maxLength: 3, selector: ([k]) => k }).map((ps) => ({
    properties: props(ps.map(([k, type, description]) => [k, { type, description }])),
    required: ps.filter((_, i) => i % 2 === 0).map(([k]) => k),
  }));
  const spec = fc.record({
    trigger: text.filter((t) => t.trim().length > 0),
    links: fc.uniqueArray(fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), prompt: text, qualified_parameters: block, disqualified_parameters: block }), { minLength: 1, maxLength: 2, selector: (l) => l.name }),
  });
  return fc.sample(spec, { numRuns: n, seed: 4242 });
}

describe("hostile specs type-check for real", () => {
  const specs = [worst, ...randomSpecs(2)];
  it.each(specs.map((spec, i) => [i, spec] as const))("spec %i: created by the CLI, installed, tsc --noEmit clean", (i, spec) => {
    const parent = tempDir("taskchain-fuzz-tc-");
    writeFileSync(path.join(parent, "spec.json"), JSON.stringify(spec, null, 2));
    const r = runCli(["app", "--spec", "spec.json", "--no-install", "--no-git", "--yes"], { cwd: parent });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const dir = path.join(parent, "app");
    installProject(dir);
    if (i === 0) {
      // The worst case also runs its own contract tests: every hostile key is sent and parsed.
      const { test } = expectProjectGreen(dir);
      expect(test.stdout + test.stderr).toMatch(/Tests\s+\d+ passed/);
      const src = readFileSync(path.join(dir, "src/links/constructor.ts"), "utf8");
      expect(src).toContain(JSON.stringify("`${process.exit(1)}` */ /*"));
    } else {
      const tsc = run(path.join(dir, "node_modules/.bin/tsc"), ["--noEmit"], dir);
      expect(tsc.code, `${JSON.stringify(spec)}\n${tsc.stdout}${tsc.stderr}`).toBe(0);
    }
    rmSync(parent, { recursive: true, force: true }); // node_modules is a symlink into the cache
  });
});

// A sample of hostile inputs, type-checked for real: the built CLI makes projects from spec files
// full of quotes, backticks, `${`, `*/`, line separators, reserved words and unicode; each one
// installs (cached), passes `tsc --noEmit` (strict) and the most hostile one its own tests too,
// so the contract tests send and parse every hostile parameter name over HTTP.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { expectProjectGreen, installProject, run, runCli, tempDir } from "../helpers/project.js";
import { runs } from "../helpers/deep.js";

const NASTY = ["'", '"', "`", "${x}", "*/", "/*", "// @ts-nocheck", "\\", "\u2028", "\u2029", "line\nbreak", "tab\tx", "\u0000", "😀", "e\u0301", "日本語", "\u202e", "</script>"];

function props(entries: Array<[string, Record<string, unknown>]>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

/** The corpus as one command-line argument (which cannot hold a NUL). */
const ARGV_NASTY = NASTY.filter((t) => t !== "\u0000").join(" ");

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

/**
 * Random specs from the run's fast-check seed (fixed in CI; FC_SEED=random explores): random text
 * from every unicode plane, lone surrogates and the nasty corpus in every slot, enum values and
 * words JavaScript reserves as link and parameter names, several links to a project.
 */
function randomSpecs(n: number): unknown[] {
  const text = fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: "binary", minLength: 1, maxLength: 12 }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)), minLength: 1, maxLength: 8 }));
  const paramName = fc.oneof(text, fc.constantFrom("constructor", "toString", "hasOwnProperty", "valueOf", "0", "1e3", "-1", "class", "default", "z", "context", "state"));
  const property = fc.oneof(
    fc.record({ type: fc.constantFrom("string", "number", "integer", "boolean"), description: text }),
    fc.record({ type: fc.constant("string"), enum: fc.uniqueArray(text, { minLength: 1, maxLength: 3 }), description: text }),
  );
  const block = fc.uniqueArray(fc.tuple(paramName.filter((t) => t !== "__proto__"), property), { maxLength: 4, selector: ([k]) => k }).map((ps) => ({
    properties: props(ps),
    required: ps.filter((_, i) => i % 2 === 0).map(([k]) => k),
  }));
  const linkName = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_]{0,8}[a-z0-9]$/), fc.constantFrom("constructor", "prototype", "class", "delete", "new", "function", "this", "super", "yield", "let", "enum", "null", "true"));
  const spec = fc.record({
    trigger: text.filter((t) => t.trim().length > 0),
    // (A prompt of white space only is refused, by design: test/integration/fuzz-inputs.test.ts.)
    links: fc.uniqueArray(fc.record({ name: linkName, prompt: text.filter((t) => t.trim().length > 0), qualified_parameters: block, disqualified_parameters: block, interrupt_parameters: block }), { minLength: 1, maxLength: 4, selector: (l) => l.name }),
  });
  return fc.sample(spec, { numRuns: n, seed: fc.readConfigureGlobal().seed ?? 4242 });
}

const checked = { projects: 0, links: 0, parameters: 0 };
afterAll(() => console.log(`fuzz-typecheck inputs type-checked: ${JSON.stringify(checked)}`));

describe("hostile specs type-check for real", () => {
  const specs = [worst, ...randomSpecs(runs(4, 8))];
  it.each(specs.map((spec, i) => [i, spec] as const))("spec %i: created by the CLI, installed, tsc --noEmit clean", (i, spec) => {
    const parent = tempDir("taskchain-fuzz-tc-");
    writeFileSync(path.join(parent, "spec.json"), JSON.stringify(spec, null, 2));
    const r = runCli(["app", "--spec", "spec.json", "--no-install", "--no-git", "--yes"], { cwd: parent });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const dir = path.join(parent, "app");
    installProject(dir);
    if (i === 0) {
      // Then add-link and rename-link put the same text into an existing project.
      const added = runCli(["add-link", "delete", "--cwd", dir, "--after", "constructor", "--prompt", ARGV_NASTY, "--qualified", "`${x}`:string:*/ \u2028 '\"", "--qualified", "toString:enum(*/|${a}|`)?:the */ values", "--disqualified", "constructor:integer:`${process.exit(1)}`", "--yes"]);
      expect(added.code, added.stdout + added.stderr).toBe(0);
      const renamed = runCli(["rename-link", "await", "yield", "--cwd", dir]);
      expect(renamed.code, renamed.stdout + renamed.stderr).toBe(0);
      // The worst case also runs its own contract tests: every hostile key is sent and parsed.
      const { test } = expectProjectGreen(dir);
      expect(test.stdout + test.stderr).toMatch(/Tests\s+\d+ passed/);
      const src = readFileSync(path.join(dir, "src/links/constructor.ts"), "utf8");
      expect(src).toContain(JSON.stringify("`${process.exit(1)}` */ /*"));
      // The prompt's literal (written with \u2028 and friends escaped) is exactly the text given.
      const literal = /content: ("(?:[^"\\]|\\.)*")/.exec(readFileSync(path.join(dir, "src/links/delete.ts"), "utf8"))?.[1];
      expect(JSON.parse(literal ?? "null")).toBe(ARGV_NASTY);
    } else {
      const tsc = run(path.join(dir, "node_modules/.bin/tsc"), ["--noEmit"], dir);
      expect(tsc.code, `${JSON.stringify(spec)}\n${tsc.stdout}${tsc.stderr}`).toBe(0);
    }
    const links = (spec as { links: Array<Record<string, { properties?: object } | string>> }).links;
    checked.projects++;
    checked.links += links.length + (i === 0 ? 1 : 0);
    for (const link of links) for (const block of ["qualified_parameters", "disqualified_parameters", "interrupt_parameters"]) checked.parameters += Object.keys((link[block] as { properties?: object } | undefined)?.properties ?? {}).length;
    rmSync(parent, { recursive: true, force: true }); // node_modules is a symlink into the cache
  });
});

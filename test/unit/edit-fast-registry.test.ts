// add-link's compiler-free path must agree exactly with the ts-morph path wherever it answers, and
// must decline (undefined) anything outside its plain grammar — above all, files with syntax errors.
import { describe, expect, it } from "vitest";
import { readRegistryFast } from "../../src/edit/fast-registry.js";
import { loadTs } from "../../src/edit/parse.js";
import { insertEdits, readRegistry, unionInsertEdits, type Registry } from "../../src/edit/registry.js";
import { applyEdits } from "../../src/edit/text.js";
import { renderRegistry } from "../../src/generate/project.js";
import { linkIdentifier } from "../../src/spec/names.js";
import { fixture } from "./edit-helpers.js";

const generated = renderRegistry(["pin_vetting", "schedule", "wrap_up"]);

// Registries the fast path should take: create's output and variations that keep the plain shape.
const PLAIN: Record<string, string> = {
  generated,
  "one link": renderRegistry(["only"]),
  crlf: generated.replace(/\n/g, "\r\n"),
  "comments everywhere": generated
    .replace("export const chain = [\n", "/* the chain */ export const chain = [ // in order\n  // first\n")
    .replace("  scheduleLink,\n", "  scheduleLink, /* second */\n\n")
    .replace('"wrap_up",\n', '"wrap_up", // last\n'),
  "no trailing commas, no as const": generated.replace("  wrapUpLink,\n] as const;", "  wrapUpLink\n];").replace('  "wrap_up",\n];', '  "wrap_up"\n];'),
  "inline array and tuple": generated.replace(/\[\n {2}pinVettingLink,\n {2}scheduleLink,\n {2}wrapUpLink,\n\]/, "[pinVettingLink, scheduleLink, wrapUpLink]").replace(/\[\n {2}"pin_vetting",\n {2}"schedule",\n {2}"wrap_up",\n\]/, '["pin_vetting", "schedule", "wrap_up"]'),
  "single quotes": generated.replace(/"/g, "'"),
  "union LinkName (the older template)": generated.replace(/export type LinkNames = \[[^\]]*\];\nexport type LinkName = LinkNames\[number\];/, 'export type LinkName =\n  | "pin_vetting"\n  | "schedule"\n  | "wrap_up";'),
  "inline union": generated.replace(/export type LinkNames = \[[^\]]*\];\nexport type LinkName = LinkNames\[number\];/, 'export type LinkName = "pin_vetting" | "schedule" | "wrap_up";'),
  "imports in another order, two in one": generated.replace(
    'import { pinVettingLink } from "./pin_vetting.ts";\nimport { scheduleLink } from "./schedule.ts";\nimport { wrapUpLink } from "./wrap_up.ts";',
    'import { wrapUpLink } from "./wrap_up.ts";\nimport { scheduleLink, pinVettingLink } from "./schedule.ts";',
  ),
};

// Registries it must leave to the full path.
const DECLINED: Record<string, string> = {
  comments: fixture("comments.index.ts.txt"),
  alias: fixture("alias.index.ts.txt"),
  inline: fixture("inline.index.ts.txt"),
  "syntax error": fixture("syntax-error.index.ts.txt"),
  unrecognisable: fixture("unrecognisable.index.ts.txt"),
  "missing semicolon": generated.replace('from "./schedule.ts";', 'from "./schedule.ts"'),
  "reserved word binding": generated.replace(/scheduleLink/g, "if"),
  "unterminated comment": `${generated}/* open`,
  "unterminated string": generated.replace('"./schedule.ts"', '"./schedule.ts'),
  "string escape": generated.replace('"./schedule.ts"', '"./sched\\u0075le.js"'),
  "extra statement": `${generated}export const x = 1;\n`,
  "entry without import": generated.replace('import { wrapUpLink } from "./wrap_up.ts";\n', ""),
  "stray token": generated.replace("] as const;", "] as const;;"),
  "tuple without LinkName": generated.replace("export type LinkName = LinkNames[number];\n", ""),
  "unbalanced bracket": generated.replace("  wrapUpLink,\n] as const;", "  wrapUpLink,\n as const;"),
  "two chains": `${generated}export const chain = [] as const;\n`,
  "default import": generated.replace("import { scheduleLink } from", "import scheduleLink from"),
};

function shape(reg: Registry) {
  return {
    entries: reg.entries.map((e) => ({ ident: e.ident, module: e.import?.module, start: e.node.getStart(reg.parsed.sf), end: e.node.end })),
    union: reg.union?.names,
    tuple: Boolean(reg.union?.tuple),
    hasLinkName: reg.hasLinkName,
    bindings: [...reg.bindings].sort(),
  };
}

describe("the compiler-free registry reader", () => {
  for (const [label, text] of Object.entries(PLAIN)) {
    it(`reads "${label}" exactly as ts-morph does, and inserts the same bytes everywhere`, async () => {
      const ts = await loadTs();
      const full = readRegistry(ts, text);
      const fast = readRegistryFast(text);
      expect(fast, "declined").toBeDefined();
      expect(shape(fast!)).toEqual(shape(full));
      const names = full.entries.map((e) => e.import!.module.replace(/^\.\/|\.ts$/g, ""));
      for (let index = 0; index <= names.length; index++) {
        const plan = { ident: linkIdentifier("new_one"), name: "new_one", index };
        const edits = (reg: Registry) => [...insertEdits(reg, plan), ...unionInsertEdits(reg, "new_one", names[index - 1], names[index])];
        const viaFull = applyEdits(text, edits(full));
        expect(applyEdits(text, edits(fast!))).toBe(viaFull);
        expect(readRegistryFast(viaFull)?.entries.map((e) => e.ident)).toEqual(readRegistry(ts, viaFull).entries.map((e) => e.ident));
      }
    });
  }

  for (const [label, text] of Object.entries(DECLINED)) {
    it(`declines "${label}"`, () => {
      expect(readRegistryFast(text)).toBeUndefined();
    });
  }
});

// add-link's fast path: a registry in the shape create writes (any spacing, comments, trailing
// commas, extra link imports) is recognised by a strict token grammar, without loading the
// TypeScript compiler (~350 ms of module loading). The grammar is a subset of TypeScript, so a file
// it accepts has no syntax errors; anything else — other statements, aliases, escapes in strings,
// a missing semicolon — returns undefined and the caller takes the full ts-morph path.
// The result mimics the few node members the edit functions read (getStart, end, elements, …).
import type { ts as TS } from "ts-morph";
import type { LinkImport, Registry } from "./registry.js";

interface Token {
  kind: "id" | "str" | "p";
  text: string;
  /** For strings: the value between the quotes. */
  value: string;
  pos: number;
  end: number;
}

function tokenize(text: string): Token[] | undefined {
  const out: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
    } else if (c === "/" && text[i + 1] === "/") {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? n : nl;
    } else if (c === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      if (close < 0) return undefined;
      i = close + 2;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && text[j] !== c) {
        if (text[j] === "\\" || text[j] === "\n" || text[j] === "\r") return undefined;
        j++;
      }
      if (j >= n) return undefined;
      out.push({ kind: "str", text: text.slice(i, j + 1), value: text.slice(i + 1, j), pos: i, end: j + 1 });
      i = j + 1;
    } else if (/[A-Za-z_$]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w$]/.test(text[j]!)) j++;
      out.push({ kind: "id", text: text.slice(i, j), value: "", pos: i, end: j });
      i = j;
    } else if ("{}[]();,|=:".includes(c)) {
      out.push({ kind: "p", text: c, value: "", pos: i, end: i + 1 });
      i++;
    } else return undefined;
  }
  return out;
}

// Reserved and contextual words: never accepted as a binding here (the full path judges those files).
const KEYWORDS = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for function if import in " +
    "instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package " +
    "private protected public await as from type declare module number of async get set satisfies readonly unique keyof infer is asserts").split(" "),
);

interface Fake {
  pos: number;
  end: number;
  getStart(): number;
}
const fake = (pos: number, end: number, extra: object = {}): Fake => ({ pos, end, getStart: () => pos, ...extra });

/** The registry's shape from tokens, or undefined when it is not the plain shape. */
export function readRegistryFast(text: string): Registry | undefined {
  const t = tokenize(text);
  if (!t) return undefined;
  let i = 0;
  const is = (k: number, s: string) => t[k]?.text === s && t[k]!.kind !== "str";
  const ident = (k: number) => t[k]?.kind === "id" && !KEYWORDS.has(t[k]!.text);
  const fail = (): undefined => undefined;

  const imports: Array<{ decl: Fake; names: string[]; module: string }> = [];
  let array: { open: number; close: number; end: number; elements: Token[] } | undefined;
  let tuple: { open: number; close: number; end: number; elements: Token[] } | undefined;
  let union: Token[] | undefined;
  let linkNameForm: "tuple" | "union" | undefined;
  let augmented = false;

  /** `[ a, b, ]` of one token kind starting at t[k]; returns the index after `]`. */
  const list = (k: number, kind: "id" | "str"): { next: number; open: number; close: number; end: number; elements: Token[] } | undefined => {
    if (!is(k, "[")) return undefined;
    const open = t[k]!.pos;
    const elements: Token[] = [];
    k++;
    while (!is(k, "]")) {
      if (kind === "id" ? !ident(k) : t[k]?.kind !== "str") return undefined;
      elements.push(t[k]!);
      k++;
      if (is(k, ",")) k++;
      else if (!is(k, "]")) return undefined;
    }
    return { next: k + 1, open, close: t[k]!.pos, end: t[k]!.end, elements };
  };

  while (i < t.length) {
    const start = t[i]!.pos;
    if (is(i, "import") && is(i + 1, "{")) {
      let k = i + 2;
      const names: string[] = [];
      while (ident(k)) {
        names.push(t[k]!.text);
        k++;
        if (is(k, ",")) k++;
        else break;
      }
      if (!names.length || !is(k, "}") || !is(k + 1, "from") || t[k + 2]?.kind !== "str" || !is(k + 3, ";")) return fail();
      const spec = t[k + 2]!;
      imports.push({ decl: fake(start, t[k + 3]!.end, { moduleSpecifier: fake(spec.pos, spec.end, { text: spec.value }) }), names, module: spec.value });
      i = k + 4;
    } else if (is(i, "export") && is(i + 1, "const") && is(i + 2, "chain") && is(i + 3, "=")) {
      if (array) return fail();
      const l = list(i + 4, "id");
      if (!l) return fail();
      let k = l.next;
      if (is(k, "as") && is(k + 1, "const")) k += 2;
      if (!is(k, ";")) return fail();
      array = l;
      i = k + 1;
    } else if (is(i, "export") && is(i + 1, "type") && is(i + 2, "LinkNames") && is(i + 3, "=")) {
      if (tuple) return fail();
      const l = list(i + 4, "str");
      if (!l || !is(l.next, ";")) return fail();
      tuple = l;
      i = l.next + 1;
    } else if (is(i, "export") && is(i + 1, "type") && is(i + 2, "LinkName") && is(i + 3, "=")) {
      if (linkNameForm) return fail();
      let k = i + 4;
      if (is(k, "LinkNames") && is(k + 1, "[") && is(k + 2, "number") && is(k + 3, "]") && is(k + 4, ";")) {
        linkNameForm = "tuple";
        i = k + 5;
      } else {
        const members: Token[] = [];
        if (is(k, "|")) k++;
        for (;;) {
          if (t[k]?.kind !== "str") return fail();
          members.push(t[k]!);
          k++;
          if (is(k, "|")) k++;
          else break;
        }
        if (!is(k, ";")) return fail();
        linkNameForm = "union";
        union = members;
        i = k + 1;
      }
    } else if (
      is(i, "declare") && is(i + 1, "module") && t[i + 2]?.kind === "str" && is(i + 3, "{") && is(i + 4, "interface") && is(i + 5, "Register") && is(i + 6, "{") &&
      is(i + 7, "linkName") && is(i + 8, ":") && is(i + 9, "LinkName") && is(i + 10, ";") && is(i + 11, "}") && is(i + 12, "}")
    ) {
      if (augmented) return fail();
      augmented = true;
      i += 13;
    } else return fail();
  }
  if (!array || !imports.length) return fail();
  if (linkNameForm === "tuple" && !tuple) return fail();
  if (tuple && linkNameForm !== "tuple") return fail();

  // Every chain entry must be a named import (the plain shape); anything else takes the full path.
  const byLocal = new Map<string, { decl: Fake; module: string }>();
  const bindings = new Set<string>(["chain"]);
  for (const imp of imports) for (const name of imp.names) {
    if (bindings.has(name)) return fail();
    bindings.add(name);
    byLocal.set(name, imp);
  }
  const elements = array.elements.map((tok) => fake(tok.pos, tok.end));
  const entries: Registry["entries"] = [];
  for (const [k, tok] of array.elements.entries()) {
    const imp = byLocal.get(tok.text);
    if (!imp) return fail();
    entries.push({ node: elements[k] as unknown as TS.Expression, ident: tok.text, import: { decl: imp.decl, spec: undefined, module: imp.module, imported: tok.text } as unknown as LinkImport });
  }
  const members = (tuple?.elements ?? union)?.map((tok) => fake(tok.pos, tok.end, { literal: fake(tok.pos, tok.end) }));
  const names = (tuple?.elements ?? union)?.map((tok) => tok.value);
  const sf = { statements: [] } as unknown as TS.SourceFile;
  const parsed = { ts: undefined as unknown as Registry["parsed"]["ts"], rel: "src/links/index.ts", text, sf };
  return {
    parsed,
    names: parsed,
    array: fake(array.open, array.end, { elements }) as unknown as TS.ArrayLiteralExpression,
    entries,
    union: members && names ? { members: members as unknown as TS.LiteralTypeNode[], names, ...(tuple ? { tuple: fake(tuple.open, tuple.end, { elements: members }) as unknown as TS.TupleTypeNode } : {}) } : undefined,
    hasLinkName: Boolean(linkNameForm),
    bindings,
    imports: imports.map((i) => i.decl) as unknown as TS.ImportDeclaration[],
  };
}

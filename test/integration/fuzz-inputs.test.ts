// Property-based tests of everything the CLI takes from the user: link names, directories,
// parameter flags, spec files and Agent4 chain JSON, generated at random and from a corpus of
// hostile values. Each input is either refused with one clear line (a UserError) and nothing on
// disk, or it produces a project whose generated code parses (TypeScript's own parser: no
// syntactic diagnostics) and carries the user's text exactly (string literals equal the input).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { ts } from "ts-morph";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { run as addLink } from "../../src/commands/add-link.js";
import { run as create, type CreateOptions } from "../../src/commands/create.js";
import { UserError } from "../../src/errors.js";
import { report } from "../../src/report.js";
import { runCommand } from "../unit/edit-helpers.js";
import { parseParamFlag } from "../../src/spec/param-flag.js";
import { linkIdentifier } from "../../src/spec/names.js";
import { DEFAULT_BASE_URL, DEFAULT_TRIGGER, defaultParameters, defaultPrompt, type LinkSpec, type ParamSpec } from "../../src/spec/spec.js";

const REPO = path.resolve(import.meta.dirname, "../..");
const SCRATCH = path.join(REPO, ".cache/unit", `fuzz-inputs-${process.pid}`);
const tried: Record<string, number> = {};
const outcome: Record<string, { refused: number; created: number }> = {};
function record(what: string, created: boolean): void {
  tried[what] = (tried[what] ?? 0) + 1;
  const o = (outcome[what] ??= { refused: 0, created: 0 });
  if (created) o.created++;
  else o.refused++;
}

beforeAll(() => {
  rmSync(SCRATCH, { recursive: true, force: true });
  mkdirSync(SCRATCH, { recursive: true });
});
afterAll(() => {
  rmSync(SCRATCH, { recursive: true, force: true });
  console.log(`fuzz-inputs inputs tried: ${JSON.stringify(tried)}; outcomes: ${JSON.stringify(outcome)}; longest printed error line: ${longestError} chars`);
});

// ---------------------------------------------------------------------------------------------
// The hostile corpus

const CODE_TEXT = ["'", '"', "`", "${", "${process.exit(1)}", "`${x}`", "*/", "/*", "//", "<!--", "-->", "</script>", "\\", "\\u0041", "\\n", "\\", "'\"`", "#!", "@ts-ignore", "// @ts-nocheck"];
const SPACE_TEXT = ["", " ", "\t", "\n", "line\nbreak", "\r\n", "\u0000", "x\u0000y", "\u0007", "\u001b[31mred", "\u2028", "\u2029", "\ufeff", "\u202e", "\u00a0"];
const UNICODE_TEXT = ["é", "e\u0301", "😀", "👩‍👩‍👧", "日本語", "עברית", "\ud800", "\udfff", "\ud83d", "\uffff", "𝒳"];
const WORDS = ["index", "health", "server", "define", "describe", "constructor", "__proto__", "prototype", "toString", "hasOwnProperty", "class", "default", "import", "export", "await", "yield", "let", "enum", "null", "true", "undefined", "NaN", "Infinity", "eval", "arguments", "z", "context", "state", "chain"];
const PATHISH = ["..", ".", "../x", "../../etc/passwd", "a/b", "a\\b", "/abs", "C:\\x", "~/x", "con", "nul", "aux", "node_modules"];
const NAMEISH = ["a", "a_b", "a__b", "_a", "a_", "A", "aB", "a-b", "a b", "1a", "a1", "pin_vetting", "pin__vetting", "pinVetting", "x".repeat(64), "x".repeat(65), "a".repeat(200)];
const HOSTILE = [...CODE_TEXT, ...SPACE_TEXT, ...UNICODE_TEXT, ...WORDS, ...PATHISH, ...NAMEISH];

const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u));
/** Any text: the corpus, any code points, any UTF-16 (lone surrogates too), and long strings. */
const anyText = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  fc.string({ unit: codeUnit, maxLength: 20 }),
  fc.array(fc.constantFrom(...HOSTILE), { minLength: 2, maxLength: 5 }).map((xs) => xs.join("")),
  fc.constantFrom(500, 501, 2000, 2001, 20_000, 20_001).map((n) => "y".repeat(n)),
);
/** Link names: mostly valid (so projects get made), many from the corpus, some anything. */
const linkName = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-z0-9_]{0,14}$/) },
  { weight: 2, arbitrary: fc.constantFrom(...WORDS, ...NAMEISH, ...PATHISH) },
  fc.constantFrom("constructor", "prototype", "class", "default", "await", "enum", "null", "pin_vetting", "pin__vetting"),
  anyText,
);

// ---------------------------------------------------------------------------------------------
// Checking generated code with TypeScript's parser

function syntaxErrors(file: string, text: string): string[] {
  const out = ts.transpileModule(text, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: { target: ts.ScriptTarget.ESNext, module: ts.ModuleKind.ESNext },
  });
  return (out.diagnostics ?? []).map((d) => `${file}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
}

function parse(file: string, text: string): ts.SourceFile {
  return ts.createSourceFile(file, text, ts.ScriptTarget.ESNext, true, ts.ScriptKind.TS);
}

function find<T extends ts.Node>(root: ts.Node, test: (n: ts.Node) => n is T): T | undefined {
  let found: T | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (test(n)) found = n;
    else n.forEachChild(visit);
  };
  visit(root);
  return found;
}

/** The key of a property as the object will have it: `a`, `"a b"`, `["__proto__"]`. */
function keyOf(p: ts.ObjectLiteralElementLike): string {
  const n = p.name;
  if (n && (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n))) return n.text;
  if (n && ts.isComputedPropertyName(n) && ts.isStringLiteral(n.expression)) return n.expression.text;
  throw new Error(`unexpected property name ${n?.getText()}`);
}

function properties(o: ts.Expression | undefined): Map<string, ts.Expression> {
  if (!o || !ts.isObjectLiteralExpression(o)) throw new Error(`expected an object literal, got ${o?.getText()}`);
  const out = new Map<string, ts.Expression>();
  for (const p of o.properties) {
    if (!ts.isPropertyAssignment(p)) throw new Error(`unexpected ${p.getText()}`);
    expect(out.has(keyOf(p)), `duplicate key ${keyOf(p)}`).toBe(false);
    out.set(keyOf(p), p.initializer);
  }
  return out;
}

function literal(e: ts.Expression | undefined): string {
  if (e && (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e))) return e.text;
  throw new Error(`expected a string literal, got ${e?.getText()}`);
}

/** `z.string().describe("d").optional()` → its parts, read from the syntax tree. */
function zodParts(e: ts.Expression): { base: string; values?: string[]; description?: string; optional: boolean } {
  const parts: { base: string; values?: string[]; description?: string; optional: boolean } = { base: "", optional: false };
  let cur: ts.Expression = e;
  while (ts.isCallExpression(cur) && ts.isPropertyAccessExpression(cur.expression)) {
    const method = cur.expression.name.text;
    const target = cur.expression.expression;
    if (ts.isIdentifier(target) && target.text === "z") {
      parts.base = method;
      if (method === "enum") {
        const arr = cur.arguments[0];
        if (!arr || !ts.isArrayLiteralExpression(arr)) throw new Error("z.enum without an array");
        parts.values = arr.elements.map((el) => literal(el));
      }
      break;
    }
    if (method === "describe") parts.description = literal(cur.arguments[0]);
    else if (method === "optional") parts.optional = true;
    cur = target;
  }
  return parts;
}

const ZOD_BASE: Record<ParamSpec["type"], string> = { string: "string", number: "number", integer: "int", boolean: "boolean", enum: "enum" };

/** src/links/<name>.ts and test/<name>.test.ts carry the link's name, prompt and parameters exactly. */
function expectLinkCarried(root: string, link: LinkSpec): void {
  const file = `src/links/${link.name}.ts`;
  const text = readFileSync(path.join(root, file), "utf8");
  expect(syntaxErrors(file, text)).toEqual([]);
  const sf = parse(file, text);
  const call = find(sf, (n): n is ts.CallExpression => ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === "defineLink");
  expect(call, file).toBeDefined();
  const def = properties(call!.arguments[0]);
  expect(literal(def.get("name"))).toBe(link.name);
  const initial = def.get("initial");
  if (!initial || !ts.isArrowFunction(initial) || !ts.isParenthesizedExpression(initial.body)) throw new Error("initial is not () => ({...})");
  expect(literal(properties(initial.body.expression).get("content"))).toBe(link.prompt);
  const params = properties(def.get("parameters"));
  for (const outcome of ["qualified", "disqualified", "interrupt"] as const) {
    const zobject = params.get(outcome);
    if (!zobject || !ts.isCallExpression(zobject)) throw new Error(`${outcome} is not z.object({...})`);
    const shape = properties(zobject.arguments[0]);
    const expected = link.parameters[outcome];
    expect([...shape.keys()], `${file} ${outcome} keys`).toEqual(expected.map((p) => p.name));
    for (const p of expected) {
      const parts = zodParts(shape.get(p.name)!);
      expect(parts.base).toBe(ZOD_BASE[p.type]);
      expect(parts.description ?? "").toBe(p.description);
      expect(parts.optional).toBe(!p.required);
      if (p.type === "enum") expect(parts.values).toEqual(p.values);
    }
  }
  const testFile = `test/${link.name}.test.ts`;
  const testText = readFileSync(path.join(root, testFile), "utf8");
  expect(syntaxErrors(testFile, testText)).toEqual([]);
  const describeCall = find(parse(testFile, testText), (n): n is ts.CallExpression => ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === "describeLink");
  const samples = properties(describeCall!.arguments[1]);
  for (const outcome of ["qualified", "disqualified", "interrupt"] as const) {
    expect([...properties(samples.get(outcome)).keys()]).toEqual(link.parameters[outcome].map((p) => p.name));
  }
}

/** The registry lists the links in order, as literal types and identifiers; chain.json agrees. */
function expectChainCarried(root: string, names: readonly string[], baseUrl: string): void {
  const file = "src/links/index.ts";
  const text = readFileSync(path.join(root, file), "utf8");
  expect(syntaxErrors(file, text)).toEqual([]);
  const sf = parse(file, text);
  const tuple = find(sf, (n): n is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(n) && n.name.text === "LinkNames");
  if (!tuple || !ts.isTupleTypeNode(tuple.type)) throw new Error("LinkNames is not a tuple");
  const literals = tuple.type.elements.map((el) => {
    if (!ts.isLiteralTypeNode(el) || !ts.isStringLiteral(el.literal)) throw new Error(`not a string literal type: ${el.getText()}`);
    return el.literal.text;
  });
  expect(literals).toEqual(names);
  const chainDecl = find(sf, (n): n is ts.VariableDeclaration => ts.isVariableDeclaration(n) && n.name.getText() === "chain");
  expect(chainDecl?.initializer?.getText()).toContain(names.map(linkIdentifier).join(",\n  "));
  const chain = JSON.parse(readFileSync(path.join(root, "chain.json"), "utf8")) as Array<{ name: string; endpoint: string }>;
  expect(chain).toEqual(names.map((name) => ({ name, endpoint: `${baseUrl.replace(/\/+$/, "")}/${name}` })));
}

/**
 * A base URL as it is written: white space around it trimmed (JavaScript's trim(), which takes
 * U+2028 and U+00A0 too, where the URL parser would percent-encode them), then as an HTTP client
 * sends it (percent-encoded, punycoded), without trailing slashes.
 */
const written = (url: string) => new URL(url.trim()).href.replace(/\/+$/, "");

/** chain.json's endpoints are plain http(s) URLs: no token, fragment, credentials or whitespace. */
function expectEndpointsClean(root: string): void {
  for (const { endpoint } of JSON.parse(readFileSync(path.join(root, "chain.json"), "utf8")) as Array<{ endpoint: string }>) {
    const url = new URL(endpoint);
    expect([url.search, url.hash, url.username, url.password], endpoint).toEqual(["", "", "", ""]);
    expect(["http:", "https:"]).toContain(url.protocol);
    expect(endpoint).not.toMatch(/[\s\p{Cc}]/u);
  }
}

/** Every .ts file of the project parses. */
function expectAllTsParse(root: string): void {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === "node_modules" ? [] : walk(path.join(dir, e.name))) : [path.join(dir, e.name)]));
  for (const file of walk(root).filter((f) => f.endsWith(".ts"))) expect(syntaxErrors(file, readFileSync(file, "utf8"))).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// Disk snapshots: a refusal leaves everything exactly as it was

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        out.set(`${path.relative(dir, p)}/`, "dir");
        walk(p);
      } else out.set(path.relative(dir, p), e.isFile() ? readFileSync(p, "utf8") : "other");
    }
  };
  walk(dir);
  return out;
}

function expectRefusal(error: unknown, what: string): void {
  if (!(error instanceof UserError)) throw new Error(`${what}: not a UserError: ${String(error)}\n${error instanceof Error ? error.stack : ""}`);
  expect(error.message.length, what).toBeGreaterThan(0);
  // What the user sees is what report() prints: messages may quote user text with its line breaks
  // and all 20,000 characters of it; the printed error is still one readable line.
  let printed = "";
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((printed += String(chunk)), true));
  try {
    expect(report(error, false)).toBe(1);
  } finally {
    err.mockRestore();
  }
  expect(printed, `${what}: the error must be one line`).toMatch(/^create-taskchain: [^\n\r\u2028\u2029]+\n$/);
  expect(printed.length, what).toBeLessThan(400);
  longestError = Math.max(longestError, printed.length);
}
let longestError = 0;

let counter = 0;
/** A fresh cwd under the scratch folder, and a sibling that must never change. */
function workspace(): { base: string; cwd: string } {
  const base = mkdtempSync(path.join(SCRATCH, `w${counter++}-`));
  const cwd = path.join(base, "cwd");
  mkdirSync(cwd);
  mkdirSync(path.join(base, "sibling"));
  writeFileSync(path.join(base, "sibling", "keep.txt"), "keep");
  return { base, cwd };
}

async function runCreate(options: CreateOptions, cwd: string): Promise<{ error?: unknown }> {
  try {
    await create({ git: false, install: false, yes: true, ...options }, { cwd, interactive: false, out: () => {} });
    return {};
  } catch (error) {
    return { error };
  }
}

// ---------------------------------------------------------------------------------------------
// Spec files

/** An object whose keys are own data properties, "__proto__" included (JSON.stringify keeps them). */
function obj(entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  return o;
}

const paramName = fc.oneof({ weight: 3, arbitrary: fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,10}$/) }, anyText, fc.constantFrom("__proto__", "constructor", "toString", "", "a b", "x".repeat(128), "x".repeat(129)));
const property = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constantFrom("string", "number", "integer", "boolean"), description: anyText }, { requiredKeys: ["type"] }) },
  fc.record({ type: fc.constant("string"), enum: fc.array(anyText, { minLength: 1, maxLength: 4 }), description: anyText }, { requiredKeys: ["enum"] }),
  fc.record({ type: fc.constantFrom("object", "array", "null", "String", 5, null), description: fc.oneof(anyText, fc.integer()) }, { requiredKeys: [] }),
  fc.constantFrom(null, "string", 1, [], {}),
);
const block = fc
  .tuple(fc.array(fc.tuple(paramName, property), { maxLength: 4 }), fc.array(fc.oneof(paramName, fc.integer()), { maxLength: 3 }), fc.boolean(), fc.nat())
  .map(([props, extraRequired, requireSome, pick]) => {
    const names = props.map(([n]) => n);
    const required = requireSome ? names.filter((_, i) => (pick >> i) & 1) : [];
    return obj([
      ["properties", obj(props)],
      ["required", [...required, ...(pick % 5 === 0 ? extraRequired : [])]],
    ]);
  });
const specLink = fc.oneof(
  linkName,
  fc
    .record(
      {
        name: linkName,
        prompt: anyText,
        qualified_parameters: block,
        disqualified_parameters: block,
        interrupt_parameters: block,
        bogus: fc.option(fc.constant(1), { nil: undefined, freq: 10 }), // undefined: JSON.stringify drops it
      },
      { requiredKeys: ["name"] },
    ),
);
/** Base URLs: good ones, ones carrying a token or credentials, and ones the URL parser rewrites. */
const HOSTILE_URLS = [
  "https://hooks.example.com/?token=secret",
  "https://hooks.example.com?token=secret",
  "https://hooks.example.com/#frag",
  "https://user:pw@hooks.example.com",
  "https://user@hooks.example.com",
  "javascript:alert(1)",
  "ftp://x",
  "not a url",
  "",
  "https://hooks.example.com\n",
  "https://hooks.exa\nmple.com",
  "https://hooks.exa\tmple.com",
  " https://hooks.example.com",
  "https://hooks.example.com/a b",
  "https://hooks.example.com/\u0000",
  "https://hooks.example.com/\u2028",
  "https://hooks.example.com/\u00a0",
  "https://hooks.example.com/%0a",
];
const baseUrl = fc.constantFrom(
  "https://hooks.example.com",
  "https://hooks.example.com/base/",
  "http://127.0.0.1:8080/x",
  "https://例え.jp/パス",
  "https://hooks.example.com/a'b\"c`d${e}",
  ...HOSTILE_URLS,
);
/** A spec that passes the shape checks, with hostile text everywhere text is allowed. */
const okProperty = fc.oneof(
  fc.record({ type: fc.constantFrom("string", "number", "integer", "boolean"), description: anyText.filter((d) => d.length <= 2000) }, { requiredKeys: ["type"] }),
  fc.record({ type: fc.constant("string"), enum: fc.uniqueArray(anyText.filter((v) => v.length > 0), { minLength: 1, maxLength: 4 }), description: anyText.filter((d) => d.length <= 2000) }, { requiredKeys: ["enum"] }),
);
const okBlock = fc
  .tuple(fc.uniqueArray(fc.tuple(anyText.filter((n) => n.length > 0 && n.length <= 128 && n !== "__proto__"), okProperty), { maxLength: 4, selector: ([n]) => n }), fc.nat())
  .map(([props, pick]) => obj([
    ["properties", obj(props)],
    ["required", props.map(([n]) => n).filter((_, i) => (pick >> i) & 1)],
  ]));
const okSpecFile = fc.record(
  {
    runtime: fc.constant("node"),
    baseUrl: fc.constantFrom("https://hooks.example.com", "https://hooks.example.com/base/", "http://127.0.0.1:8080/x", "https://例え.jp/パス", "https://hooks.example.com/a'b\"c`d${e}"),
    trigger: anyText.filter((t) => t.trim().length > 0 && t.length <= 500),
    links: fc.uniqueArray(
      fc.record(
        {
          name: fc.oneof(fc.stringMatching(/^[a-z][a-z0-9]{0,12}$/), fc.constantFrom("constructor", "prototype", "class", "default", "await", "enum", "null", "pin_vetting")),
          prompt: anyText.filter((p) => p.length <= 20_000),
          qualified_parameters: okBlock,
          disqualified_parameters: okBlock,
          interrupt_parameters: okBlock,
        },
        { requiredKeys: ["name"] },
      ),
      { minLength: 1, maxLength: 3, selector: (l) => l.name },
    ),
  },
  { requiredKeys: ["links"] },
);
const anySpecFile = fc.record(
  {
    runtime: fc.constantFrom("node", "node", "bun", 5),
    baseUrl,
    trigger: anyText,
    example: fc.constantFrom("none", "nope"),
    links: fc.oneof({ weight: 5, arbitrary: fc.array(specLink, { minLength: 1, maxLength: 3 }) }, fc.constantFrom([], "a", null)),
  },
  { requiredKeys: ["links"] },
);
/** The spec file's text: JSON, now and then damaged (truncated, a BOM, a trailing comma). */
const specFile = fc.oneof(okSpecFile, anySpecFile);
const specText = fc.tuple(specFile, fc.constantFrom("plain", "plain", "plain", "plain", "bom", "truncated", "comma", "pretty")).map(([spec, how]) => {
  const text = JSON.stringify(spec, null, how === "pretty" ? 2 : undefined);
  if (how === "bom") return `\ufeff${text}`;
  if (how === "truncated") return text.slice(0, Math.floor(text.length / 2));
  if (how === "comma") return text.replace(/}$/, ",}");
  return text;
});

/** What a spec file asks for, read independently of src/spec/spec-file.ts (the oracle). */
function expectedLinks(spec: Record<string, unknown>): LinkSpec[] {
  return (spec.links as unknown[]).map((raw) => {
    const link = (typeof raw === "string" ? { name: raw } : raw) as Record<string, unknown>;
    const name = link.name as string;
    const defaults = defaultParameters();
    const params = (outcome: "qualified" | "disqualified" | "interrupt"): ParamSpec[] => {
      const b = link[`${outcome}_parameters`] as { properties: Record<string, Record<string, unknown>>; required: string[] } | undefined;
      if (!b) return defaults[outcome];
      return Object.entries(b.properties).map(([pname, prop]) => ({
        name: pname,
        type: prop.enum ? "enum" : (prop.type as ParamSpec["type"]),
        description: (prop.description as string | undefined) ?? "",
        required: b.required.includes(pname),
        ...(prop.enum ? { values: prop.enum as string[] } : {}),
      }));
    };
    return {
      name,
      prompt: typeof link.prompt === "string" ? link.prompt : defaultPrompt(name),
      parameters: { qualified: params("qualified"), disqualified: params("disqualified"), interrupt: params("interrupt") },
    };
  });
}

describe("CLI inputs, fuzzed", () => {
  it("spec files: refused with one line and nothing on disk, or a project carrying every text exactly", async () => {
    await fc.assert(
      fc.asyncProperty(specText, async (text) => {
        const { base, cwd } = workspace();
        writeFileSync(path.join(cwd, "spec.json"), text);
        const before = snapshot(base);
        const { error } = await runCreate({ dir: "app", spec: "spec.json" }, cwd);
        record("spec files", !error);
        if (error) {
          expectRefusal(error, text.slice(0, 200));
          expect(snapshot(base)).toEqual(before);
        } else {
          const root = path.join(cwd, "app");
          const spec = JSON.parse(text.replace(/^\ufeff/, "")) as Record<string, unknown>;
          const links = expectedLinks(spec);
          for (const link of links) expectLinkCarried(root, link);
          // Written as an HTTP client sends it: percent-encoded, punycoded, no trailing slash.
          const url = written((spec.baseUrl as string | undefined) ?? DEFAULT_BASE_URL);
          expectChainCarried(root, links.map((l) => l.name), url);
          expectEndpointsClean(root);
          const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { taskchain: { trigger: string; baseUrl: string } };
          expect(pkg.taskchain).toMatchObject({ trigger: (spec.trigger as string | undefined) ?? DEFAULT_TRIGGER, baseUrl: url });
          // The rest of the .ts files are the templates' own text: parsed once, not per run.
          if (outcome["spec files"]!.created === 1) expectAllTsParse(root);
        }
        rmSync(base, { recursive: true, force: true });
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it("--link names and the project directory: refused with one line and nothing anywhere, or made inside cwd", async () => {
    const dirArb = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom("app", "my app", "ünï-cødé", "a/b/c", "./app", "app/") },
      fc.constantFrom("..", "../escape", "../sibling/x", "a/../../escape", "", " ", "x\u0000y", "sibling", "cwd"),
      fc.constantFrom("ABS_INSIDE", "ABS_DOTDOT"),
      // Random text made relative: an absolute path is allowed by design and would land anywhere.
      anyText.map((d) => (path.isAbsolute(d) ? `x${d}` : d)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(linkName, { minLength: 1, maxLength: 4 }), dirArb, fc.option(baseUrl, { nil: undefined, freq: 3 }), async (names, dirText, url) => {
        const { base, cwd } = workspace();
        const dir = dirText === "ABS_INSIDE" ? path.join(cwd, "abs") : dirText === "ABS_DOTDOT" ? `${cwd}/../sibling/x` : dirText;
        const before = snapshot(base);
        const { error } = await runCreate({ dir, link: names, ...(url !== undefined ? { baseUrl: url } : {}) }, cwd);
        record("link names and directories", !error);
        if (error) {
          expectRefusal(error, `${JSON.stringify(names)} in ${JSON.stringify(dir)}`);
          expect(snapshot(base)).toEqual(before);
        } else {
          // Made inside cwd, and nothing else changed: the sibling is untouched.
          const root = path.resolve(cwd, dir);
          expect(root === cwd || root.startsWith(cwd + path.sep)).toBe(true);
          expect(snapshot(path.join(base, "sibling"))).toEqual(new Map([["keep.txt", "keep"]]));
          const expected = names.flatMap((n) => n.split(",")).map((n) => n.trim()).filter(Boolean);
          for (const name of expected) expectLinkCarried(root, { name, prompt: defaultPrompt(name), parameters: defaultParameters() });
          expectChainCarried(root, expected, written(url ?? DEFAULT_BASE_URL));
          expectEndpointsClean(root);
        }
        rmSync(base, { recursive: true, force: true });
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it("Agent4 chain JSON: refused with one line, or a project with exactly those links and endpoints", async () => {
    const endpoint = fc.oneof(
      fc.constantFrom("https://hooks.example.com", "https://hooks.example.com/x?token=secret#frag", "http://127.0.0.1:3000", "javascript:alert(1)", "not a url", "", "https://例え.jp/パス"),
      anyText,
    );
    const entry = fc.oneof(
      { weight: 5, arbitrary: fc.record({ name: linkName, endpoint }, { requiredKeys: ["name"] }) },
      fc.record({ name: fc.oneof(fc.integer(), fc.constant(null)), endpoint }),
      fc.constantFrom(null, "a", 1, []),
    );
    const chainText = fc.tuple(fc.oneof({ weight: 6, arbitrary: fc.array(entry, { maxLength: 4 }) }, fc.constantFrom({}, null, "x")), fc.boolean()).map(([chain, sameBase]) => {
      if (sameBase && Array.isArray(chain)) {
        // Mostly endpoints that share a base (the common case, the base is inferred).
        return JSON.stringify(chain.map((e) => (e && typeof e === "object" && !Array.isArray(e) && typeof (e as { name?: unknown }).name === "string" ? { name: (e as { name: string }).name, endpoint: `https://h.example.com/p/${(e as { name: string }).name}?token=t` } : e)));
      }
      return JSON.stringify(chain);
    });
    await fc.assert(
      fc.asyncProperty(chainText, async (text) => {
        const { base, cwd } = workspace();
        writeFileSync(path.join(cwd, "chain-in.json"), text);
        const before = snapshot(base);
        const { error } = await runCreate({ dir: "app", fromChain: "chain-in.json" }, cwd);
        record("chain JSON", !error);
        if (error) {
          expectRefusal(error, text.slice(0, 200));
          expect(snapshot(base)).toEqual(before);
        } else {
          const root = path.join(cwd, "app");
          const chain = JSON.parse(text) as Array<{ name: string; endpoint?: string }>;
          const names = chain.map((e) => e.name);
          for (const name of names) expectLinkCarried(root, { name, prompt: defaultPrompt(name), parameters: defaultParameters() });
          const written = JSON.parse(readFileSync(path.join(root, "chain.json"), "utf8")) as Array<{ name: string; endpoint: string }>;
          expect(written.map((e) => e.name)).toEqual(names);
          // Never the token or a fragment from the input: endpoints are <base>/<name>.
          for (const e of written) expect(e.endpoint).not.toMatch(/[?#]/);
          const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { taskchain: { baseUrl: string } };
          expectChainCarried(root, names, pkg.taskchain.baseUrl);
        }
        rmSync(base, { recursive: true, force: true });
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it("--qualified parameter flags parse to exactly the text given, or are refused with one line", () => {
    const flag = fc.oneof(
      fc
        .tuple(paramName, fc.constantFrom("string", "number", "integer", "boolean", "enum(a|b)", "enum(x)", "enum()", "enum(a||b)", "enum(a|a)", "bogus", "", "string?", "enum(a|b)?"), fc.option(anyText, { nil: undefined }))
        .map(([n, t, d]) => (d === undefined ? `${n}:${t}` : `${n}:${t}:${d}`)),
      anyText,
    );
    fc.assert(
      fc.property(flag, (text) => {
        let param: ParamSpec;
        try {
          param = parseParamFlag(text);
        } catch (error) {
          record("parameter flags", false);
          expectRefusal(error, JSON.stringify(text));
          return;
        }
        record("parameter flags", true);
        // name:type[:description]: the description is everything after the second colon, trimmed.
        expect(param.name).toBe(text.slice(0, text.indexOf(":") < 0 ? undefined : text.indexOf(":")).trim());
        const afterType = /^[^:]*:\s*(?:enum\([^)]*\)|[^:]*)(.*)$/s.exec(text);
        const rest = afterType?.[1] ?? "";
        expect(param.description).toBe(rest.replace(/^\s*\?/, "").replace(/^:/, "").trim());
      }),
      { numRuns: 1000 },
    );
  });

  it("add-link with hostile names, prompts and parameter flags: refused with the project unchanged, or carried exactly", async () => {
    const { cwd } = workspace();
    const { error } = await runCreate({ dir: "proj", link: ["first_link", "last_link"] }, cwd);
    expect(error).toBeUndefined();
    const root = path.join(cwd, "proj");
    const out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      await fc.assert(
        fc.asyncProperty(
          linkName,
          fc.option(anyText, { nil: undefined }),
          fc.option(fc.array(fc.tuple(paramName, fc.constantFrom("string", "integer", "enum(a|b)", "boolean?"), anyText).map(([n, t, d]) => `${n}:${t}:${d}`), { maxLength: 3 }), { nil: undefined }),
          fc.oneof(
            { weight: 3, arbitrary: fc.constantFrom<{ after?: string; before?: string }>({}, { after: "first_link" }, { before: "first_link" }, { after: "nope" }) },
            anyText.map((a): { after?: string; before?: string } => ({ after: a })),
            anyText.map((b): { after?: string; before?: string } => ({ before: b })),
            fc.constant<{ after?: string; before?: string }>({ after: "first_link", before: "last_link" }),
          ),
          async (name, prompt, qualified, where) => {
            const before = snapshot(root);
            const names = JSON.parse(readFileSync(path.join(root, "chain.json"), "utf8")).map((e: { name: string }) => e.name) as string[];
            let failure: unknown;
            try {
              await addLink({ name, cwd: root, yes: true, ...(prompt !== undefined ? { prompt } : {}), ...(qualified ? { qualified } : {}), ...where });
            } catch (e) {
              failure = e;
            }
            record("add-link", !failure);
            if (failure) {
              expectRefusal(failure, `add-link ${JSON.stringify(name)}`);
              expect(snapshot(root)).toEqual(before);
              return;
            }
            const params = qualified?.length ? qualified.map((f) => parseParamFlag(f)) : defaultParameters().qualified;
            expectLinkCarried(root, { name, prompt: prompt ?? defaultPrompt(name), parameters: { ...defaultParameters(), qualified: params } });
            const at = where.after === "first_link" ? names.indexOf("first_link") + 1 : where.before === "first_link" ? names.indexOf("first_link") : names.length;
            expectChainCarried(root, [...names.slice(0, at), name, ...names.slice(at)], DEFAULT_BASE_URL);
            expect(existsSync(path.join(root, ".taskchain-txn"))).toBe(false);
          },
        ),
        { numRuns: 30 },
      );
    } finally {
      out.mockRestore();
    }
    expectAllTsParse(root);
    expect(statSync(root).isDirectory()).toBe(true);
  }, 120_000);

  /** A fresh copy of a project made once, for properties that change it in every run. */
  let template: string | undefined;
  async function freshProject(): Promise<string> {
    if (!template) {
      const { cwd } = workspace();
      expect((await runCreate({ dir: "template", link: ["first_link", "middle", "last_link"] }, cwd)).error).toBeUndefined();
      template = path.join(cwd, "template");
    }
    const { cwd } = workspace();
    const root = path.join(cwd, "proj");
    cpSync(template, root, { recursive: true });
    return root;
  }
  const NAMES = ["first_link", "middle", "last_link"];
  const namesIn = (root: string) => (JSON.parse(readFileSync(path.join(root, "chain.json"), "utf8")) as Array<{ name: string }>).map((e) => e.name);

  it("chain --base-url: refused with one line and nothing changed, or endpoints exactly <base>/<link> with no token or whitespace", async () => {
    const url = fc.oneof(
      { weight: 3, arbitrary: baseUrl },
      fc.tuple(fc.constantFrom("https://h.example.com/", "http://127.0.0.1:3000/", "https://h.example.com/a?b"), anyText).map(([b, t]) => b + t),
      anyText,
    );
    await fc.assert(
      fc.asyncProperty(url, async (base) => {
        const root = await freshProject();
        const before = snapshot(root);
        const ran = await runCommand("chain", { cwd: root, baseUrl: base });
        record("chain --base-url", !ran.error);
        if (ran.error) {
          expectRefusal(ran.error, `chain --base-url ${JSON.stringify(base)}`);
          expect(snapshot(root)).toEqual(before);
        } else {
          expect(ran.code).toBe(0);
          expectChainCarried(root, NAMES, written(base));
          expectEndpointsClean(root);
          const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { taskchain: { baseUrl: string } };
          expect(pkg.taskchain.baseUrl).toBe(written(base));
        }
        rmSync(path.dirname(root), { recursive: true, force: true });
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it("remove-link and rename-link with hostile names: refused with one line and nothing changed, or done exactly", async () => {
    const existing = fc.constantFrom(...NAMES);
    const anyName = fc.oneof({ weight: 2, arbitrary: existing }, linkName);
    const op = fc.oneof(
      fc.record({ command: fc.constant("remove-link" as const), name: anyName }),
      fc.record({ command: fc.constant("rename-link" as const), from: anyName, to: fc.oneof(linkName, existing) }),
    );
    await fc.assert(
      fc.asyncProperty(op, async (o) => {
        const root = await freshProject();
        const before = snapshot(root);
        const ran = o.command === "remove-link" ? await runCommand("remove-link", { cwd: root, name: o.name }) : await runCommand("rename-link", { cwd: root, from: o.from, to: o.to });
        record(o.command, !ran.error);
        if (ran.error) {
          expectRefusal(ran.error, JSON.stringify(o));
          expect(snapshot(root)).toEqual(before);
        } else if (o.command === "remove-link") {
          expect(NAMES).toContain(o.name);
          expectChainCarried(root, NAMES.filter((n) => n !== o.name), DEFAULT_BASE_URL);
          expect(existsSync(path.join(root, `src/links/${o.name}.ts`))).toBe(false);
          expect(existsSync(path.join(root, `test/${o.name}.test.ts`))).toBe(false);
        } else {
          expect(NAMES).toContain(o.from);
          expectChainCarried(root, NAMES.map((n) => (n === o.from ? o.to : n)), DEFAULT_BASE_URL);
          expectLinkCarried(root, { name: o.to, prompt: defaultPrompt(o.from), parameters: defaultParameters() });
          expect(existsSync(path.join(root, `src/links/${o.from}.ts`))).toBe(false);
        }
        if (!ran.error) expectAllTsParse(root);
        expect(existsSync(path.join(root, ".taskchain-txn"))).toBe(false);
        expect(namesIn(root).length).toBeGreaterThan(0);
        rmSync(path.dirname(root), { recursive: true, force: true });
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});

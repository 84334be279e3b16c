// Everything `create` takes from outside: flag values, spec files, Agent4 chain JSON, the target
// directory. Each problem becomes one UserError line that says where it is.
import { lstatSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { UserError } from "../errors.js";
import { formatPath } from "../format-path.js";
import { RETIRED_TXN_DIR, TXN_DIR } from "../fs/changeset.js";
import { baseUrlProblem, normalizeBaseUrl, trimTrailingSlashes } from "./base-url.js";
import { OUTCOMES, type Outcome } from "../protocol/outcomes.js";
import { numberSample, stringSample } from "../protocol/samples.js";
import { linkNameProblem } from "./names.js";
import {
  DEFAULT_BASE_URL,
  DEFAULT_TRIGGER,
  EXAMPLES,
  MAX_TEXT,
  CHECKED_KEYWORDS,
  RUNTIMES,
  RUNTIME_STORES,
  SESSION_STORES,
  defaultParameters,
  defaultPrompt,
  type Example,
  type LinkSpec,
  type ParamSpec,
  type ParamType,
  type Runtime,
  type SessionStoreName,
} from "./spec.js";

/** `--link a,b --link c` → ["a", "b", "c"]: trimmed, empty pieces dropped. */
export function splitLinkFlags(values: readonly string[] | string | undefined): string[] {
  const list = values === undefined ? [] : typeof values === "string" ? [values] : values;
  return list.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
}

// ---------------------------------------------------------------------------------------------
// JSON with positions

/** Line and column (1-based) of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split("\n");
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

/**
 * Where JSON.parse gave up. V8 names a position for most errors but not all ("Unexpected token
 * '}', … is not valid JSON"), so a small scanner finds the first offending character itself.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const literal = (word: string) => {
    for (const ch of word) if (text[i++] !== ch) (i--, fail());
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail();
      const ch = text[i]!;
      if (ch === '"') return void i++;
      if (ch < " ") fail();
      if (ch === "\\") {
        i++;
        const esc = text[i];
        if (esc === "u") {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? "")) (i += k, fail());
          i += 5;
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) i++;
        else fail();
      } else i++;
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === "-") fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ":") fail();
        i++;
        value();
        ws();
        if (text[i] === ",") (i++, ws());
        else if (text[i] === "}") return void i++;
        else fail();
      }
    }
    if (ch === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return void i++;
        else fail();
      }
    }
    if (ch === '"') return string();
    if (ch === "t") return literal("true");
    if (ch === "f") return literal("false");
    if (ch === "n") return literal("null");
    if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) return number();
    fail();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return -1;
  } catch (at) {
    if (typeof at === "number") return at;
    throw at;
  }
}

/** JSON.parse with a one-line error that says where: `spec.json:3:5: invalid JSON (…)`. */
export function parseJsonText(text: string, label: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (error) {
    const offset = jsonErrorOffset(body);
    // V8 appends a snippet of the input (`, ..."ks": [" is not valid JSON`) or the offset: both go.
    const reason = (error as Error).message.replace(/, (\.\.\.)?"[\s\S]*$/, "").replace(/ in JSON at position \d+[\s\S]*$/, "").split("\n")[0]!;
    if (offset < 0) throw new UserError(`${label}: invalid JSON (${reason})`);
    const { line, column } = lineColumn(body, offset);
    const what = offset >= body.length ? "unexpected end of file" : reason;
    throw new UserError(`${label}:${line}:${column}: invalid JSON (${what})`);
  }
}

export function readJsonFile(file: string, cwd: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path.resolve(cwd, file), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UserError(`${what} ${file} does not exist`);
    if (code === "EISDIR") throw new UserError(`${what} ${file} is a directory, not a JSON file`);
    throw new UserError(`cannot read ${what} ${file}: ${(error as Error).message}`);
  }
  return parseJsonText(text, file);
}

// ---------------------------------------------------------------------------------------------
// Shape checks that name the path: links[1].qualified_parameters.properties.pin.type

type Path = ReadonlyArray<string | number>;

class ShapeError extends UserError {}

function shapeError(label: string, at: Path, message: string): never {
  throw new ShapeError(`${label}: ${formatPath(at) || "(top level)"} ${message}`);
}

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `${typeof value === "string" ? "a string" : typeof value === "number" ? "a number" : typeof value === "boolean" ? "a boolean" : typeof value}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function expectRecord(label: string, at: Path, value: unknown): Record<string, unknown> {
  if (!isRecord(value)) shapeError(label, at, `must be an object, not ${kind(value)}`);
  return value;
}

function expectString(label: string, at: Path, value: unknown): string {
  if (typeof value !== "string") shapeError(label, at, `must be a string, not ${kind(value)}`);
  return value;
}

function rejectUnknownKeys(label: string, at: Path, record: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(record)) {
    if (!allowed.includes(k)) shapeError(label, [...at, k], `is not a known field (expected one of: ${allowed.join(", ")})`);
  }
}

const JSON_TYPES = ["string", "number", "integer", "boolean"] as const;

/**
 * One Agent4 parameter block, `{properties: {x: {type, description, enum?}}, required: [...]}`,
 * as ParamSpecs in property order.
 */
export function parameterBlock(label: string, at: Path, value: unknown): ParamSpec[] {
  const block = expectRecord(label, at, value);
  rejectUnknownKeys(label, at, block, ["properties", "required", "type", "additionalProperties", "$schema"]);
  if (block.type !== undefined && block.type !== "object") shapeError(label, [...at, "type"], `must be "object" when given`);
  const properties = block.properties === undefined ? {} : expectRecord(label, [...at, "properties"], block.properties);
  let required: string[] = [];
  if (block.required !== undefined) {
    if (!Array.isArray(block.required)) shapeError(label, [...at, "required"], `must be an array of parameter names, not ${kind(block.required)}`);
    required = block.required.map((r, i) => expectString(label, [...at, "required", i], r));
    required.forEach((r, i) => {
      if (!Object.hasOwn(properties, r)) shapeError(label, [...at, "required", i], `names "${r}", which is not in properties`);
    });
  }
  return Object.entries(properties).map(([name, raw]) => {
    const where = [...at, "properties", name];
    if (name.length === 0) shapeError(label, where, "a parameter needs a non-empty name");
    if (name === "__proto__") shapeError(label, where, "__proto__ cannot be a parameter name");
    const prop = expectRecord(label, where, raw);
    const description = prop.description === undefined ? "" : expectString(label, [...where, "description"], prop.description);
    const type = prop.type;
    const isRequired = required.includes(name);
    if (prop.enum !== undefined) {
      if (type !== undefined && type !== "string") {
        shapeError(label, [...where, "type"], `is ${JSON.stringify(type)} with an enum: only string enums are supported (use "type": "string")`);
      }
      if (!Array.isArray(prop.enum) || prop.enum.length === 0) shapeError(label, [...where, "enum"], "must be a non-empty array of strings");
      const values = prop.enum.map((v, i) => {
        const s = expectString(label, [...where, "enum", i], v);
        if (s.length === 0) shapeError(label, [...where, "enum", i], "must not be empty");
        return s;
      });
      if (new Set(values).size !== values.length) shapeError(label, [...where, "enum"], "lists a value twice");
      const keywords = propertyKeywords(label, where, prop, "enum");
      return { name, type: "enum", values, description, required: isRequired, ...(keywords ? { keywords } : {}) };
    }
    if (typeof type !== "string" || !(JSON_TYPES as readonly string[]).includes(type)) {
      shapeError(
        label,
        [...where, "type"],
        `${type === undefined ? "is missing" : `is ${JSON.stringify(type)}`}: supported types are string, number, integer, boolean, or "string" with an enum`,
      );
    }
    const keywords = propertyKeywords(label, where, prop, type as ParamType);
    return { name, type: type as (typeof JSON_TYPES)[number], description, required: isRequired, ...(keywords ? { keywords } : {}) };
  });
}

/**
 * The property's other JSON-schema keywords, kept so the project sends Agent4 the block as pasted.
 * Bounds zod checks must be numbers that some value satisfies; the rest only has to compile as
 * zod metadata.
 */
function propertyKeywords(label: string, where: Path, prop: Record<string, unknown>, type: ParamType): Record<string, unknown> | undefined {
  const keywords: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(prop)) {
    if (key === "type" || key === "description" || key === "enum") continue;
    const at = [...where, key];
    if (key === "required") shapeError(label, at, `is not set per property: list ${JSON.stringify(where.at(-1))} in the block's "required" array`);
    // zod turns `id` into a $ref to definitions the block does not carry; $schema belongs to the block.
    if (key === "id" || key === "$schema" || key === "__proto__") shapeError(label, at, "is not supported on a parameter");
    if (key === "title" && typeof value !== "string") shapeError(label, at, `must be a string, not ${kind(value)}`);
    if (key === "deprecated" && typeof value !== "boolean") shapeError(label, at, `must be a boolean, not ${kind(value)}`);
    if (CHECKED_KEYWORDS[type].includes(key)) {
      if (typeof value !== "number") {
        const hint = typeof value === "boolean" && key.startsWith("exclusive") ? ` (the bound itself, as in JSON Schema 2020-12: "${key}": 0)` : "";
        shapeError(label, at, `must be a number, not ${kind(value)}${hint}`);
      }
      if (key.endsWith("Length") && !(Number.isInteger(value) && value >= 0)) shapeError(label, at, `must be a whole number of characters, not ${value}`);
      if (key === "minLength" && value > MAX_TEXT) shapeError(label, at, `must be at most ${MAX_TEXT} characters, not ${value}`);
    }
    keywords[key] = value;
  }
  if (type === "number" || type === "integer") {
    if (numberSample(type, keywords) === undefined) shapeError(label, where, `has bounds no ${type === "integer" ? "integer" : "number"} satisfies`);
  } else if (type === "string" && stringSample(keywords) === undefined) shapeError(label, [...where, "minLength"], "is greater than maxLength");
  return Object.keys(keywords).length ? keywords : undefined;
}

/** The inverse of parameterBlock: what a spec file (and Agent4) would say for these parameters. */
export function toAgent4Block(params: readonly ParamSpec[]): { properties: Record<string, Record<string, unknown>>; required: string[] } {
  const properties: Record<string, Record<string, unknown>> = {};
  for (const p of params) {
    const entry: Record<string, unknown> = { type: p.type === "enum" ? "string" : p.type };
    if (p.description) entry.description = p.description;
    if (p.type === "enum") entry.enum = [...(p.values ?? [])];
    Object.assign(entry, p.keywords);
    Object.defineProperty(properties, p.name, { value: entry, enumerable: true, writable: true, configurable: true });
  }
  return { properties, required: params.filter((p) => p.required).map((p) => p.name) };
}

export interface SpecFile {
  runtime?: Runtime;
  sessions?: SessionStoreName;
  baseUrl?: string;
  trigger?: string;
  example?: Example;
  links: LinkSpec[];
}

const BLOCK_KEYS: Record<Outcome, string> = {
  qualified: "qualified_parameters",
  disqualified: "disqualified_parameters",
  interrupt: "interrupt_parameters",
};

/**
 * A spec file: `{runtime?, sessions?, baseUrl?, trigger?, example?, links: [{name, prompt?, qualified_parameters?,
 * disqualified_parameters?, interrupt_parameters?}]}`. A link may be just its name; an omitted
 * prompt or block takes the defaults a new link gets.
 */
export function parseSpec(value: unknown, label = "spec"): SpecFile {
  const root = expectRecord(label, [], value);
  rejectUnknownKeys(label, [], root, ["$schema", "runtime", "sessions", "baseUrl", "trigger", "example", "links"]);
  const out: SpecFile = { links: [] };
  if (root.runtime !== undefined) {
    const rt = expectString(label, ["runtime"], root.runtime);
    if (!(RUNTIMES as readonly string[]).includes(rt)) shapeError(label, ["runtime"], `is "${rt}": expected one of ${RUNTIMES.join(", ")}`);
    out.runtime = rt as Runtime;
  }
  if (root.sessions !== undefined) {
    const store = expectString(label, ["sessions"], root.sessions);
    if (!(SESSION_STORES as readonly string[]).includes(store)) shapeError(label, ["sessions"], `is "${store}": expected one of ${SESSION_STORES.join(", ")}`);
    out.sessions = store as SessionStoreName;
  }
  if (root.baseUrl !== undefined) {
    const url = expectString(label, ["baseUrl"], root.baseUrl);
    const problem = baseUrlProblem(url);
    if (problem) shapeError(label, ["baseUrl"], problem);
    out.baseUrl = url;
  }
  if (root.trigger !== undefined) {
    const trigger = expectString(label, ["trigger"], root.trigger);
    const problem = triggerProblem(trigger);
    if (problem) shapeError(label, ["trigger"], problem);
    out.trigger = trigger;
  }
  if (root.example !== undefined && root.example !== "none") {
    const ex = expectString(label, ["example"], root.example);
    if (!(EXAMPLES as readonly string[]).includes(ex)) shapeError(label, ["example"], `is "${ex}": expected one of ${[...EXAMPLES, "none"].join(", ")}`);
    out.example = ex as Example;
  }
  if (root.links === undefined) shapeError(label, ["links"], "is missing: list the chain's links in order");
  if (!Array.isArray(root.links)) shapeError(label, ["links"], `must be an array, not ${kind(root.links)}`);
  const seen = new Set<string>();
  root.links.forEach((raw, i) => {
    const at = ["links", i];
    const link = typeof raw === "string" ? { name: raw } : expectRecord(label, at, raw);
    rejectUnknownKeys(label, at, link, ["name", "prompt", ...Object.values(BLOCK_KEYS)]);
    const name = expectString(label, [...at, "name"], link.name);
    const problem = linkNameProblem(name);
    if (problem) shapeError(label, [...at, "name"], `is invalid: ${problem}`);
    if (seen.has(name)) shapeError(label, [...at, "name"], `"${name}" is listed twice`);
    seen.add(name);
    const prompt = link.prompt === undefined ? defaultPrompt(name) : expectString(label, [...at, "prompt"], link.prompt);
    if (prompt.length > MAX_TEXT) shapeError(label, [...at, "prompt"], `is longer than ${MAX_TEXT} characters`);
    // Agent4 would start the step with nothing to say; leaving the field out gives the default.
    if (prompt.trim() === "") shapeError(label, [...at, "prompt"], "is empty: write the prompt, or leave the field out for the default one");
    const defaults = defaultParameters();
    const parameters = {} as LinkSpec["parameters"];
    for (const outcome of OUTCOMES) {
      const key = BLOCK_KEYS[outcome];
      parameters[outcome] = link[key] === undefined ? defaults[outcome] : parameterBlock(label, [...at, key], link[key]);
    }
    out.links.push({ name, prompt, parameters });
  });
  return out;
}

/**
 * The spec file that reproduces a project (the one-shot command after an interactive run). What
 * equals the defaults is left out: a default link is just its name.
 */
export function specFileFor(spec: { runtime: Runtime; sessions?: SessionStoreName | undefined; baseUrl: string; trigger: string; example?: Example | undefined; links: readonly LinkSpec[] }): Record<string, unknown> {
  const defaults = defaultParameters();
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return {
    runtime: spec.runtime,
    ...(spec.sessions && spec.sessions !== RUNTIME_STORES[spec.runtime][0] ? { sessions: spec.sessions } : {}),
    ...(spec.baseUrl !== DEFAULT_BASE_URL ? { baseUrl: spec.baseUrl } : {}),
    ...(spec.trigger !== DEFAULT_TRIGGER ? { trigger: spec.trigger } : {}),
    ...(spec.example ? { example: spec.example } : {}),
    links: spec.links.map((l) => {
      const entry: Record<string, unknown> = { name: l.name };
      if (l.prompt !== defaultPrompt(l.name)) entry.prompt = l.prompt;
      for (const outcome of OUTCOMES) {
        if (!same(l.parameters[outcome], defaults[outcome])) entry[BLOCK_KEYS[outcome]] = toAgent4Block(l.parameters[outcome]);
      }
      return Object.keys(entry).length === 1 ? l.name : entry;
    }),
  };
}

/** JSON on one line, with a space after each comma and colon: `{ "a": [1, 2] }`. */
function compactJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(compactJson).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    return `{ ${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${compactJson(v)}`).join(", ")} }`.replace(/^\{  \}$/, "{}");
  }
  return JSON.stringify(value);
}

/** JSON.stringify with 2-space indentation, but any object or array that fits on one line stays on one. */
export function formatJson(value: unknown, width = 100, indent = ""): string {
  const flat = compactJson(value);
  if (value === null || typeof value !== "object" || indent.length + flat.length <= width) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => inner + formatJson(v, width, inner)).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, width, inner)}`).join(",\n")}\n${indent}}`;
}

// ---------------------------------------------------------------------------------------------
// Agent4 chain JSON

export interface ChainFile {
  names: string[];
  /** The base the endpoints share, when they share one. */
  baseUrl?: string;
  /** Set when the entries have endpoints but no base URL covers them all. */
  unsharedEndpoints?: string[];
}

/**
 * An Agent4 chain: `[{name, endpoint}, …]`. The base URL is inferred when every endpoint is
 * `<base>/<name>` for one base, or when all are the same URL (a server that dispatches `POST /`
 * on the payload's name); query strings (`?token=`) are never carried over.
 */
export function parseChain(value: unknown, label = "chain"): ChainFile {
  if (!Array.isArray(value)) shapeError(label, [], `must be an array of {"name", "endpoint"} entries, not ${kind(value)}`);
  if (value.length === 0) shapeError(label, [], "is empty: a chain needs at least one link");
  const names: string[] = [];
  const endpoints: URL[] = [];
  value.forEach((raw, i) => {
    const entry = expectRecord(label, [i], raw);
    const name = expectString(label, [i, "name"], entry.name);
    const problem = linkNameProblem(name);
    if (problem) {
      // Agent4 allows names we cannot make files and identifiers of; the chain.json written here
      // is what Agent4 gets next, so renaming in the file is the whole fix.
      const like = suggestLinkName(name);
      shapeError(label, [i, "name"], `is invalid: ${problem}; rename it in the file${like ? `, e.g. to "${like}"` : ""}: Agent4 takes the new name from the chain.json this writes`);
    }
    if (names.includes(name)) shapeError(label, [i, "name"], `"${name}" is listed twice`);
    names.push(name);
    if (entry.endpoint !== undefined) {
      const endpoint = expectString(label, [i, "endpoint"], entry.endpoint);
      let url: URL;
      try {
        url = new URL(endpoint);
      } catch {
        shapeError(label, [i, "endpoint"], `is not a URL: ${JSON.stringify(endpoint)}`);
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") shapeError(label, [i, "endpoint"], `must be an http(s) URL: ${JSON.stringify(endpoint)}`);
      endpoints.push(url);
    }
  });
  if (endpoints.length === 0) return { names };
  const inferred = endpoints.length === names.length ? inferBase(names, endpoints) : {};
  return inferred.baseUrl ? { names, ...inferred } : { names, unsharedEndpoints: endpoints.map((u) => `${u.origin}${u.pathname}`) };
}

/** `PIN-Vetting` → `pin_vetting`, `2FA` → `link_2fa`: a valid name close to an invalid one, if there is one. */
export function suggestLinkName(name: string): string | undefined {
  let out = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 60);
  if (out === "") return undefined;
  if (!/^[a-z]/.test(out)) out = `link_${out}`;
  if (linkNameProblem(out)) out = `${out}_link`;
  return linkNameProblem(out) ? undefined : out;
}

function inferBase(names: string[], endpoints: URL[]): { baseUrl?: string } {
  const bare = endpoints.map((u) => trimTrailingSlashes(`${u.origin}${u.pathname}`));
  const bases = bare.map((e, i) => (e.endsWith(`/${names[i]}`) ? e.slice(0, -names[i]!.length - 1) : undefined));
  if (bases.every((b) => b !== undefined && b === bases[0])) return { baseUrl: bases[0]! };
  if (bare.every((e) => e === bare[0])) return { baseUrl: bare[0]! };
  return {};
}

// ---------------------------------------------------------------------------------------------
// Single values

export { baseUrlProblem, normalizeBaseUrl };

export function triggerProblem(trigger: string): string | undefined {
  if (trigger.trim().length === 0) return "must not be empty";
  if (trigger.length > 500) return "is longer than 500 characters";
  return undefined;
}

/**
 * `My Chain!` → `my-chain`: a name npm accepts for a new package (validate-npm-package-name's
 * validForNewPackages) from a folder name.
 */
export function packageNameFrom(base: string): string {
  const name = base
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    // `~` is URL-safe but no longer allowed in new package names.
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[._-]+/, "")
    .replace(/-+/g, "-")
    .replace(/-+$/, "")
    .slice(0, 214);
  if (name === "" || name === "node_modules" || name === "favicon.ico") return "taskchain-webhook";
  // A core module's name (`http`, `test`) is refused for new packages too.
  return builtinModules.includes(name) ? `${name}-webhook` : name;
}

// ---------------------------------------------------------------------------------------------
// The target directory

export interface Target {
  /** Absolute path. */
  root: string;
  /** How to cd into it from cwd, for the next steps. */
  display: string;
  /** Does it exist with something in it? */
  nonEmpty: boolean;
  packageName: string;
}

/**
 * Checks the project directory before anything is asked or written. A relative path must stay
 * inside cwd (`../x` and `a/../../x` escape it); an absolute one may not climb with `..`. The
 * target and its parents must not be symbolic links that would land the project elsewhere.
 */
export function resolveTarget(dir: string, cwd: string, force: boolean): Target {
  if (dir.trim() === "") throw new UserError("the project directory must not be empty");
  if (dir.includes("\0")) throw new UserError("the project directory contains a NUL character");
  const segments = dir.split(/[\\/]+/);
  const root = path.resolve(cwd, dir);
  if (path.isAbsolute(dir)) {
    if (segments.includes("..")) throw new UserError(`${dir} climbs out with "..": pass the directory without ".." segments`);
  } else {
    const rel = path.relative(cwd, root);
    if (rel === ".." || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
      throw new UserError(`${dir} is outside the current directory: cd to where the project should go, or pass an absolute path`);
    }
  }
  let nonEmpty = false;
  try {
    const st = lstatSync(root);
    if (st.isSymbolicLink()) throw new UserError(`${dir} is a symbolic link: pass the directory it points to`);
    if (!st.isDirectory()) throw new UserError(`${dir} exists and is a file, not a directory`);
    // A journal here is a write a kill interrupted, with whatever it had applied: create finishes
    // or discards it first and only then judges the folder.
    const entries = readdirSync(root);
    nonEmpty = entries.length > 0 && !entries.includes(TXN_DIR) && !entries.includes(RETIRED_TXN_DIR);
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR") throw new UserError(`${dir}: a parent of it is a file`);
    if (code !== "ENOENT") throw new UserError(`cannot use ${dir}: ${(error as Error).message}`);
    // Absent: its nearest existing parent must be a directory and where the path says it is.
    let parent = path.dirname(root);
    for (;;) {
      try {
        const st = lstatSync(parent);
        if (!st.isDirectory() && !st.isSymbolicLink()) throw new UserError(`${dir}: ${parent} is a file, not a directory`);
        break;
      } catch (inner) {
        if (inner instanceof UserError) throw inner;
        if ((inner as NodeJS.ErrnoException).code !== "ENOENT") throw new UserError(`cannot use ${dir}: ${(inner as Error).message}`);
        parent = path.dirname(parent);
      }
    }
  }
  if (nonEmpty && !force) throw new UserError(`${dir} is not empty: pick a new directory, or pass --force to write into it`);
  // A relative path whose parents are symlinks to elsewhere escapes cwd after all.
  if (!path.isAbsolute(dir)) {
    let existing = root;
    while (!exists(existing)) existing = path.dirname(existing);
    const real = realpathSync(existing);
    const realCwd = realpathSync(cwd);
    if (real !== realCwd && !real.startsWith(realCwd + path.sep)) {
      throw new UserError(`${dir} leads outside the current directory through a symbolic link`);
    }
  }
  const rel = path.relative(cwd, root);
  const display = rel === "" ? "." : path.isAbsolute(dir) ? root : rel;
  return { root, display, nonEmpty, packageName: packageNameFrom(path.basename(root)) };
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

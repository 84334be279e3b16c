// What templates may call. User text reaches generated code only through `str` and `key`.
import { linkIdentifier } from "../spec/names.js";
import { sampleValue } from "../protocol/samples.js";
import { toAgent4Block } from "../spec/spec-file.js";
import { CHECKED_KEYWORDS, type ParamSpec } from "../spec/spec.js";

/** A JS/TS string literal holding exactly `value` (JSON is a subset of JS since ES2019). */
export function str(value: string): string {
  // U+2028/2029 are legal in JSON and in modern JS strings, but escaped they survive every editor.
  return JSON.stringify(value).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** An object key: bare when it is an identifier, quoted otherwise. */
export function key(name: string): string {
  if (name === "__proto__") return `[${str(name)}]`; // a plain "__proto__": key would set the prototype
  return IDENT.test(name) ? name : str(name);
}

/**
 * Markdown inline code for user text: on one line (a line break would end the list item it sits
 * in), fenced by more backticks than any run inside, so backticks show as typed.
 */
export function code(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const fence = "`".repeat(Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A JSON value (a pasted keyword's) as a JS expression; `__proto__` stays an own key. */
export function literal(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "number") return String(value);
  if (typeof value === "string") return str(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value);
    return entries.length ? `{ ${entries.map(([k, v]) => `${key(k)}: ${literal(v)}`).join(", ")} }` : "{}";
  }
  throw new Error(`not a JSON value: ${String(value)}`);
}

const ZOD_CHECK: Record<string, string> = {
  minimum: "min",
  exclusiveMinimum: "gt",
  maximum: "max",
  exclusiveMaximum: "lt",
  minLength: "min",
  maxLength: "max",
};

/** The zod expression for one parameter. */
export function zod(p: ParamSpec): string {
  let expr: string;
  switch (p.type) {
    case "string":
      expr = "z.string()";
      break;
    case "number":
      expr = "z.number()";
      break;
    case "integer":
      expr = "z.int()";
      break;
    case "boolean":
      expr = "z.boolean()";
      break;
    case "enum":
      expr = `z.enum([${(p.values ?? []).map(str).join(", ")}])`;
      break;
  }
  // Bounds are checked (zod writes them back into the JSON schema); the rest is metadata only.
  const meta: Array<[string, unknown]> = [];
  for (const [name, value] of Object.entries(p.keywords ?? {})) {
    if (CHECKED_KEYWORDS[p.type].includes(name)) expr += `.${ZOD_CHECK[name]}(${literal(value)})`;
    else meta.push([name, value]);
  }
  if (meta.length) expr += `.meta(${literal(Object.fromEntries([...(p.description ? [["description", p.description]] : []), ...meta]))})`;
  else if (p.description) expr += `.describe(${str(p.description)})`;
  if (!p.required) expr += ".optional()";
  return expr;
}

/**
 * A value that satisfies the parameter: what contract tests send as context. The sampler verify
 * uses, over the property as the project declares it to Agent4.
 */
export function sample(p: ParamSpec): string {
  return literal(sampleValue(toAgent4Block([p]).properties[p.name] ?? {}));
}

export const helpers = { str, key, code, zod, sample, ident: linkIdentifier };
export type Helpers = typeof helpers;

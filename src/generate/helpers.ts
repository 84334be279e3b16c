// What templates may call. User text reaches generated code only through `str` and `key`.
import { linkIdentifier } from "../spec/names.js";
import type { ParamSpec } from "../spec/spec.js";

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
  if (p.description) expr += `.describe(${str(p.description)})`;
  if (!p.required) expr += ".optional()";
  return expr;
}

/** A value that satisfies the parameter: what contract tests send as context. */
export function sample(p: ParamSpec): string {
  switch (p.type) {
    case "string":
      return str("example");
    case "number":
      return "1.5";
    case "integer":
      return "1";
    case "boolean":
      return "true";
    case "enum":
      return str(p.values?.[0] ?? "");
  }
}

export const helpers = { str, key, zod, sample, ident: linkIdentifier };
export type Helpers = typeof helpers;

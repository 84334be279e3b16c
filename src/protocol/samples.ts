// Sample values for parameters: a value each parameter's JSON-schema keywords accept. One sampler
// for both sides: create writes these values into a project's contract tests (from the keywords a
// spec gives a parameter), and simulate/verify send them as context (from the blocks a live webhook
// declares), so a bound that create handles is handled the same way against a live endpoint.
import type { ParameterBlock } from "../../templates/base/src/taskchain/protocol.js";

type Keywords = Readonly<Record<string, unknown>> | undefined;
type JsonSchema = Readonly<Record<string, unknown>>;

const STRING_FORMATS: Record<string, string> = {
  email: "caller@example.com",
  date: "2024-01-31",
  "date-time": "2024-01-31T12:00:00Z",
  time: "12:00:00",
  uuid: "6b29fc40-ca47-4067-b31d-00dd010662da",
  uri: "https://example.com/",
  url: "https://example.com/",
  hostname: "example.com",
  ipv4: "192.0.2.1",
};

function numberKeyword(keywords: Keywords, key: string): number | undefined {
  const value = keywords?.[key];
  return typeof value === "number" ? value : undefined;
}

function tighter(a: [number, boolean] | undefined, b: [number, boolean] | undefined, lower: boolean): [number, boolean] | undefined {
  if (!a || !b) return a ?? b;
  if (a[0] === b[0]) return [a[0], a[1] || b[1]];
  return (lower ? a[0] > b[0] : a[0] < b[0]) ? a : b;
}

/**
 * A value inside a number parameter's bounds (near 1), or undefined when no value fits them.
 * `[bound, exclusive]` pairs: JSON Schema 2020-12, as zod writes them.
 */
export function numberSample(type: "number" | "integer", keywords: Keywords): number | undefined {
  const num = (k: string) => numberKeyword(keywords, k);
  const pair = (k: string, exclusive: boolean): [number, boolean] | undefined => (num(k) === undefined ? undefined : [num(k)!, exclusive]);
  const low = tighter(pair("minimum", false), pair("exclusiveMinimum", true), true);
  const high = tighter(pair("maximum", false), pair("exclusiveMaximum", true), false);
  if (type === "integer") {
    // z.int() also keeps to safe integers.
    const lo = Math.max(Number.MIN_SAFE_INTEGER, low ? (low[1] ? Math.floor(low[0]) + 1 : Math.ceil(low[0])) : -Infinity);
    const hi = Math.min(Number.MAX_SAFE_INTEGER, high ? (high[1] ? Math.ceil(high[0]) - 1 : Math.floor(high[0])) : Infinity);
    return lo > hi ? undefined : Math.min(Math.max(1, lo), hi);
  }
  const above = (v: number) => !low || (low[1] ? v > low[0] : v >= low[0]);
  const below = (v: number) => !high || (high[1] ? v < high[0] : v <= high[0]);
  // 1 away from an open bound, or more where 1 is below a double's precision (1e17 + 1 === 1e17).
  const step = (bound: number) => Math.max(1, Math.abs(bound) * Number.EPSILON);
  let value = 1.5;
  if (!above(value)) value = low![1] ? (high ? (low![0] + high[0]) / 2 : low![0] + step(low![0])) : low![0];
  if (!below(value)) value = high![1] ? (low ? (low[0] + high![0]) / 2 : high![0] - step(high![0])) : high![0];
  return Number.isFinite(value) && above(value) && below(value) ? value : undefined;
}

/** A string of the parameter's `format` (when a common one) inside `minLength`/`maxLength`; undefined when no length fits. */
export function stringSample(keywords: Keywords): string | undefined {
  const min = typeof keywords?.minLength === "number" ? keywords.minLength : 0;
  const max = typeof keywords?.maxLength === "number" ? keywords.maxLength : Infinity;
  if (min > max) return undefined;
  const format = typeof keywords?.format === "string" ? STRING_FORMATS[keywords.format] : undefined;
  return (format ?? "example").padEnd(min, "x").slice(0, max);
}

function types(schema: JsonSchema): string[] {
  const t = schema.type;
  if (typeof t === "string") return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === "string");
  return [];
}

/** Whether `value` is of one of the JSON-schema `types` (any, when none is declared). */
function fits(value: unknown, declared: readonly string[]): boolean {
  if (declared.length === 0) return true;
  return declared.some((t) => {
    switch (t) {
      case "integer":
        // zod's z.int(), which a generated project checks with, keeps to safe integers.
        return Number.isSafeInteger(value);
      case "number":
        return typeof value === "number" && Number.isFinite(value);
      case "array":
        return Array.isArray(value);
      case "object":
        return typeof value === "object" && value !== null && !Array.isArray(value);
      case "null":
        return value === null;
      default:
        return typeof value === t;
    }
  });
}

/** Whether the schema's type, `enum`, bounds and lengths all accept `value`. */
function accepts(schema: JsonSchema, value: unknown): boolean {
  if (!fits(value, types(schema))) return false;
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) return false;
  const bound = (key: string) => numberKeyword(schema, key);
  if (typeof value === "number") {
    const [min, xmin, max, xmax] = [bound("minimum"), bound("exclusiveMinimum"), bound("maximum"), bound("exclusiveMaximum")];
    if ((min !== undefined && value < min) || (xmin !== undefined && value <= xmin) || (max !== undefined && value > max) || (xmax !== undefined && value >= xmax)) return false;
  }
  if (typeof value === "string") {
    const [min, max] = [bound("minLength"), bound("maxLength")];
    if ((min !== undefined && value.length < min) || (max !== undefined && value.length > max)) return false;
  }
  return true;
}

/**
 * A value the property's schema accepts, as far as common JSON-schema keywords tell: its `const`
 * (when the rest of the schema accepts it), its first `enum` value, else one inside its bounds. `default` is not used: a
 * schema's default need not satisfy its own bounds. A live webhook may declare bounds nothing
 * satisfies; then the nearest bound goes, and the webhook's answer to it is what verify reports.
 */
export function sampleValue(schema: JsonSchema, depth = 0): unknown {
  if ("const" in schema && accepts(schema, schema.const)) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  for (const key of ["anyOf", "oneOf", "allOf"] as const) {
    const options = schema[key];
    if (Array.isArray(options)) {
      const first = options.find((o): o is JsonSchema => typeof o === "object" && o !== null && (o as JsonSchema).type !== "null");
      if (first) return sampleValue(first, depth + 1);
    }
  }
  const type = types(schema).find((t) => t !== "null") ?? types(schema)[0] ?? "string";
  switch (type) {
    case "integer":
    case "number": {
      const bound = [schema.minimum, schema.exclusiveMinimum, schema.maximum, schema.exclusiveMaximum].find((b) => typeof b === "number");
      return numberSample(type, schema) ?? bound ?? 1;
    }
    case "boolean":
      return true;
    case "null":
      return null;
    case "array": {
      const items = typeof schema.items === "object" && schema.items !== null ? (schema.items as JsonSchema) : { type: "string" };
      const count = Math.max(1, typeof schema.minItems === "number" ? schema.minItems : 1);
      return depth > 4 ? [] : Array.from({ length: count }, () => sampleValue(items, depth + 1));
    }
    case "object": {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      return depth > 4 ? {} : Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, sampleValue(v, depth + 1)]));
    }
    default:
      return stringSample(schema) ?? "example";
  }
}

/** A context filling every declared parameter (required and optional) with a sample. */
export function sampleContext(block: ParameterBlock | undefined): Record<string, unknown> {
  if (!block) return {};
  return Object.fromEntries(Object.entries(block.properties).map(([name, schema]) => [name, sampleValue(schema)]));
}

// Sample values for a JSON-schema property: what verify (and scripted steps without context) send
// as context, so that a webhook's own parameter declarations drive the calls.
import type { ParameterBlock } from "../../templates/base/src/taskchain/protocol.js";

type JsonSchema = Record<string, unknown>;

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

function types(schema: JsonSchema): string[] {
  const t = schema.type;
  if (typeof t === "string") return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === "string");
  return [];
}

function numberSample(schema: JsonSchema, integer: boolean): number {
  const min = typeof schema.minimum === "number" ? schema.minimum : typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum + (integer ? 1 : 0.5) : undefined;
  const max = typeof schema.maximum === "number" ? schema.maximum : typeof schema.exclusiveMaximum === "number" ? schema.exclusiveMaximum - (integer ? 1 : 0.5) : undefined;
  let value = integer ? 1 : 1.5;
  if (min !== undefined && value < min) value = min;
  if (max !== undefined && value > max) value = max;
  return integer ? Math.ceil(value) : value;
}

/** A value the property's schema accepts, as far as common JSON-schema keywords tell. */
export function sampleValue(schema: JsonSchema, depth = 0): unknown {
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  if ("default" in schema && schema.default !== undefined) return schema.default;
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
      return numberSample(schema, true);
    case "number":
      return numberSample(schema, false);
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
    default: {
      let value = (typeof schema.format === "string" && STRING_FORMATS[schema.format]) || "example";
      if (typeof schema.minLength === "number" && value.length < schema.minLength) value = value.padEnd(schema.minLength, "x");
      if (typeof schema.maxLength === "number" && value.length > schema.maxLength) value = value.slice(0, schema.maxLength);
      return value;
    }
  }
}

/** A context filling every declared parameter (required and optional) with a sample. */
export function sampleContext(block: ParameterBlock | undefined): Record<string, unknown> {
  if (!block) return {};
  return Object.fromEntries(Object.entries(block.properties).map(([name, schema]) => [name, sampleValue(schema)]));
}

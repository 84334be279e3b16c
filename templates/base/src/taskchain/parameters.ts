import * as z from "zod";
import type { ParameterBlock } from "./protocol.ts";
import type { ParamsSchema } from "./link.ts";

/**
 * A link's zod schema as the `{"properties": …, "required": […]}` block Agent4 expects.
 * zod's JSON Schema carries `$schema`, `type` and `additionalProperties` too: Agent4's shape has
 * only the two keys, so the rest is dropped.
 */
export function toParameterBlock(schema: ParamsSchema): ParameterBlock {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  const properties: Record<string, Record<string, unknown>> = {};
  for (const [name, property] of Object.entries(json.properties ?? {})) {
    const { $schema: _drop, ...rest } = property;
    // z.int() bounds itself to safe integers: noise in a prompt, so those bounds are left out.
    if (rest.minimum === Number.MIN_SAFE_INTEGER) delete rest.minimum;
    if (rest.maximum === Number.MAX_SAFE_INTEGER) delete rest.maximum;
    properties[name] = rest;
  }
  return { properties, required: [...(json.required ?? [])] };
}

// Parameter blocks: a link's zod schemas as the JSON-schema blocks an `initial` answer carries.
import * as z from "zod";
import type { Link, ParamsSchema } from "./link.js";
import { describeIssues, ParameterBlockSchema, type ParameterBlock, type TaskchainResponse } from "./protocol.js";

export type ParameterBlocks = Pick<TaskchainResponse, "qualified_parameters" | "disqualified_parameters" | "interrupt_parameters">;

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

/**
 * The blocks of one link, and what is wrong with them if anything. Built once when the app starts:
 * they never change, and converting a schema is the slowest step of an `initial` answer. A problem
 * is reported on each `initial` (answered with the apology) rather than thrown here, so one bad
 * link does not take the whole chain down.
 */
export function parameterBlocks(link: Link): { blocks: ParameterBlocks; problem: string | undefined } {
  const { qualified, disqualified, interrupt } = link.parameters;
  const blocks: ParameterBlocks = {};
  if (qualified) blocks.qualified_parameters = toParameterBlock(qualified);
  if (disqualified) blocks.disqualified_parameters = toParameterBlock(disqualified);
  if (interrupt) blocks.interrupt_parameters = toParameterBlock(interrupt);
  for (const [name, block] of Object.entries(blocks)) {
    const parsed = ParameterBlockSchema.safeParse(block);
    if (parsed.success) continue;
    const { field, message } = describeIssues(parsed.error);
    return { blocks, problem: field ? `${name}.${message}` : `${name}: ${message}` };
  }
  return { blocks, problem: undefined };
}

// Parameter blocks: a link's zod schemas as the JSON-schema blocks an `initial` answer carries.
import * as z from "zod";
import type { Link, ParamsSchema } from "./link.ts";
import { describeIssues, ParameterBlockSchema, PARAMETER_BLOCKS, type ParameterBlock } from "./protocol.ts";

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
 * A link's `*_parameters` as JSON, and what is wrong with them if anything. Made once when the app
 * starts: they never change. A problem is reported on each `initial` (answered with the apology)
 * rather than thrown, so one bad link does not take the whole chain down.
 */
export function parameterBlocks(link: Link): { json: string; problem: string | undefined } {
  const blocks: Record<string, ParameterBlock> = {};
  let problem: string | undefined;
  for (const name of PARAMETER_BLOCKS) {
    const schema = link.parameters[name.replace("_parameters", "") as keyof Link["parameters"]];
    if (!schema) continue;
    blocks[name] = toParameterBlock(schema);
    const parsed = ParameterBlockSchema.safeParse(blocks[name]);
    const issue = parsed.error && describeIssues(parsed.error);
    problem ??= issue && (issue.field ? `${name}.${issue.message}` : `${name}: ${issue.message}`);
  }
  return { json: JSON.stringify(blocks), problem };
}

/**
 * `{...response, ...blocks}` as JSON, from the two serialised: the blocks' JSON spliced in before
 * the response's closing brace. A shortcut: the blocks are most of an `initial` answer, and
 * `npm run bench` measured the node runtime at 0.78x and 0.62x bare node:http when they were
 * serialised on every answer, 0.89x and 0.83x with this function (target 0.85x).
 */
export function withBlocksJson(responseJson: string, blocksJson: string): string {
  return blocksJson === "{}" ? responseJson : `${responseJson.slice(0, -1)},${blocksJson.slice(1)}`;
}

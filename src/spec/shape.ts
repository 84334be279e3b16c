// Shared by the schemas of the files create reads (spec file, chain file): zod/mini schemas whose
// messages read after a path, and the first issue as one line that names where it is:
// `spec.json: links[1].qualified_parameters.properties.pin.type is missing: …`.
import * as z from "zod/mini";
import { UserError } from "../errors.js";
import { formatPath } from "../format-path.js";

/** `a string`, `an array`, `null`: what a value is, for "must be X, not Y". */
export function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return "a string";
  if (typeof value === "number") return "a number";
  if (typeof value === "boolean") return "a boolean";
  return typeof value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The error of a value of the wrong kind: `must be a string, not a number`. */
export const mustBe = (what: string) => ({ error: (issue: { input?: unknown }) => `must be ${what}, not ${kind(issue.input)}` });

export const text = z.string(mustBe("a string"));

/** An object with only these fields; another field is named in the message with the ones expected. */
export function strict<T extends z.core.$ZodLooseShape>(shape: T) {
  const fields = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? `is not a known field (expected one of: ${fields})` : `must be an object, not ${kind(issue.input)}`),
  });
}

/** A refinement from a `…Problem(value)` function that says why a value is refused, or nothing. */
export function problem<T>(why: (value: T) => string | undefined) {
  return z.superRefine<T>((value, ctx) => {
    const message = why(value);
    if (message) ctx.addIssue({ code: "custom", message, input: value });
  });
}

type Issue = z.core.$ZodIssue;

/** Adds `result`'s issues to `ctx` below `prefix`: a schema applied to part of a value. */
export function forward(ctx: z.core.$RefinementCtx, result: { success: boolean; error?: { issues: Issue[] } }, prefix: PropertyKey[]): void {
  for (const issue of result.error?.issues ?? []) {
    ctx.addIssue({ code: "custom", message: issue.message, path: [...prefix, ...where(issue)], input: undefined });
  }
}

/** An issue's place; an unknown field is placed at the field itself. */
function where(issue: Issue): PropertyKey[] {
  return issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!] : issue.path;
}

/** The value `schema` makes of `value`, or a UserError naming the first problem and where it is. */
export function parseShape<T>(schema: z.ZodMiniType<T>, value: unknown, label: string, at: PropertyKey[] = []): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new UserError(`${label}: ${formatPath([...at, ...where(issue)]) || "(top level)"} ${issue.message}`);
}

import type { z } from "zod";
import { formatPath } from "../format-path.js";

type Issue = z.core.$ZodIssue;

/**
 * For "Invalid input" from a union, the issue of the branch that got furthest (deepest path):
 * `steps.start[0].outcome: Invalid option…` says more than `steps.start: Invalid input`.
 */
function deepest(issue: Issue, base: readonly PropertyKey[]): { path: PropertyKey[]; message: string } {
  const path = [...base, ...issue.path];
  if (issue.code !== "invalid_union" || !issue.errors.length) return { path, message: issue.message };
  let best: { path: PropertyKey[]; message: string } | undefined;
  for (const branch of issue.errors) {
    const first = branch[0];
    if (!first) continue;
    const candidate = deepest(first, path);
    if (!best || candidate.path.length > best.path.length) best = candidate;
  }
  return best && best.path.length >= path.length ? best : { path, message: issue.message };
}

/** The first issue of a zod error, as one line: `path: message`. */
export function firstIssue(error: z.ZodError, prefix: readonly PropertyKey[] = []): string {
  const issue = error.issues[0];
  if (!issue) return "invalid";
  const { path, message } = deepest(issue, prefix);
  const where = formatPath(path);
  return where ? `${where}: ${message}` : message;
}

/** Every issue, one line each. */
export function allIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): string[] {
  return error.issues.map((issue) => {
    const where = formatPath([...prefix, ...issue.path]);
    return where ? `${where}: ${issue.message}` : issue.message;
  });
}

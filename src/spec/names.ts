import { UserError } from "../errors.js";

/**
 * Link names create and add-link accept: `pin_vetting`. The runtime's LINK_NAME_PATTERN (what a
 * webhook serves: lowercase letters, digits, underscores) narrowed to a leading letter, since each
 * name becomes an identifier (`pinVettingLink`) and a file name. Not imported from the runtime:
 * its protocol module loads zod's classic API, which create never loads (test/unit/one-definition
 * checks the two agree).
 */
export const LINK_NAME_RE = /^[a-z][a-z0-9_]*$/;
export const MAX_LINK_NAME = 64;
/**
 * Names that would collide with the generated project: its files (src/links/index.ts, GET /health,
 * test/server.test.ts) or the names its link files and tests import (defineLink, describeLink).
 */
export const RESERVED_LINK_NAMES = new Set(["index", "health", "server", "define", "describe"]);

/** `--link a,b --link c` → ["a", "b", "c"]: trimmed, empty pieces dropped. */
export function splitLinkFlags(values: readonly string[] | string | undefined): string[] {
  const list = values === undefined ? [] : typeof values === "string" ? [values] : values;
  return list.flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
}

/** `pin_vetting` → `pinVettingLink`. The suffix keeps every name clear of reserved words. */
export function linkIdentifier(name: string): string {
  const parts = name.split("_").filter(Boolean);
  const camel = parts.map((p, i) => (i === 0 ? p : p[0]!.toUpperCase() + p.slice(1))).join("");
  return `${camel}Link`;
}

/** Why `name` cannot be a link name, or undefined when it can. */
export function linkNameProblem(name: string): string | undefined {
  if (name.length === 0) return "a link name must not be empty";
  if (name.length > MAX_LINK_NAME) return `link name ${JSON.stringify(name.slice(0, 20))}… is longer than ${MAX_LINK_NAME} characters`;
  if (!LINK_NAME_RE.test(name)) {
    return `link name ${JSON.stringify(name)} must start with a lowercase letter and use only lowercase letters, digits and underscores (like pin_vetting)`;
  }
  if (RESERVED_LINK_NAMES.has(name)) return `link name "${name}" is reserved; pick another`;
  return undefined;
}

/** Throws a UserError for the first invalid, duplicate or colliding name in chain order. */
export function assertLinkNames(names: readonly string[]): void {
  if (names.length === 0) throw new UserError("a chain needs at least one link");
  const seen = new Map<string, string>();
  for (const name of names) {
    const problem = linkNameProblem(name);
    if (problem) throw new UserError(problem);
    const id = linkIdentifier(name);
    const other = seen.get(id);
    if (other === name) throw new UserError(`link "${name}" is listed twice`);
    if (other !== undefined) throw new UserError(`links "${other}" and "${name}" both become the identifier ${id}; rename one`);
    seen.set(id, name);
  }
}

/**
 * assertLinkNames over the user's links followed by an example's own: a clash names the example,
 * not "listed twice" for a name the user gave once.
 */
export function assertChainNames(names: readonly string[], example?: { name: string; links: readonly string[] }): void {
  const clash = example && names.find((n) => example.links.includes(n));
  if (clash) throw new UserError(`link "${clash}" is a link of the ${example.name} example (${example.links.join(", ")}); pick another name`);
  assertLinkNames([...names, ...(example?.links ?? [])]);
}

// An Agent4 chain (`create --from-chain`): `[{name, endpoint}, …]`, checked by zod schemas whose
// messages name the entry, with the base URL the endpoints share.
import * as z from "zod/mini";
import { trimTrailingSlashes } from "./base-url.js";
import { linkNameProblem } from "./names.js";
import { kind, mustBe, parseShape, problem, text } from "./shape.js";

export interface ChainFile {
  names: string[];
  /** The base the endpoints share, when they share one. */
  baseUrl?: string;
  /** Set when the entries have endpoints but no base URL covers them all. */
  unsharedEndpoints?: string[];
}

/** `PIN-Vetting` → `pin_vetting`, `2FA` → `link_2fa`: a valid name close to an invalid one, if there is one. */
export function suggestLinkName(name: string): string | undefined {
  let out = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 60);
  if (out === "") return undefined;
  if (!/^[a-z]/.test(out)) out = `link_${out}`;
  if (linkNameProblem(out)) out = `${out}_link`;
  return linkNameProblem(out) ? undefined : out;
}

/**
 * Agent4 allows names we cannot make files and identifiers of; the chain.json written here is what
 * Agent4 gets next, so renaming in the file is the whole fix.
 */
function nameProblem(name: string): string | undefined {
  const problem = linkNameProblem(name);
  if (!problem) return undefined;
  const like = suggestLinkName(name);
  return `is invalid: ${problem}; rename it in the file${like ? `, e.g. to "${like}"` : ""}: Agent4 takes the new name from the chain.json this writes`;
}

function endpointProblem(endpoint: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return `is not a URL: ${JSON.stringify(endpoint)}`;
  }
  return url.protocol === "http:" || url.protocol === "https:" ? undefined : `must be an http(s) URL: ${JSON.stringify(endpoint)}`;
}

const Entry = z.looseObject(
  {
    name: text.check(problem(nameProblem)),
    endpoint: z.optional(text.check(problem(endpointProblem))),
  },
  mustBe("an object"),
);

const ChainSchema = z.array(Entry, { error: (issue) => `must be an array of {"name", "endpoint"} entries, not ${kind(issue.input)}` }).check(
  z.minLength(1, "is empty: a chain needs at least one link"),
  z.superRefine((entries, ctx) => {
    const seen = new Set<string>();
    entries.forEach(({ name }, i) => {
      if (seen.has(name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `"${name}" is listed twice`, input: name });
      seen.add(name);
    });
  }),
);

/**
 * An Agent4 chain's names and base URL. The base URL is inferred when every endpoint is
 * `<base>/<name>` for one base, or when all are the same URL (a server that dispatches `POST /`
 * on the payload's name); query strings (`?token=`) are never carried over.
 */
export function parseChain(value: unknown, label = "chain"): ChainFile {
  const entries = parseShape(ChainSchema, value, label);
  const names = entries.map((e) => e.name);
  const endpoints = entries.flatMap((e) => (e.endpoint === undefined ? [] : [new URL(e.endpoint)]));
  if (endpoints.length === 0) return { names };
  const inferred = endpoints.length === names.length ? inferBase(names, endpoints) : {};
  return inferred.baseUrl ? { names, ...inferred } : { names, unsharedEndpoints: endpoints.map((u) => `${u.origin}${u.pathname}`) };
}

function inferBase(names: string[], endpoints: URL[]): { baseUrl?: string } {
  const bare = endpoints.map((u) => trimTrailingSlashes(`${u.origin}${u.pathname}`));
  const bases = bare.map((e, i) => (e.endsWith(`/${names[i]}`) ? e.slice(0, -names[i]!.length - 1) : undefined));
  if (bases.every((b) => b !== undefined && b === bases[0])) return { baseUrl: bases[0]! };
  if (bare.every((e) => e === bare[0])) return { baseUrl: bare[0]! };
  return {};
}

// The chain simulate/verify walk: read from chain.json (Agent4's own format) and pointed at --url.
import { readFile } from "node:fs/promises";
import path from "node:path";
import * as z from "zod";
import { ChainEntrySchema } from "../../templates/base/src/taskchain/protocol.js";
import { UserError } from "../errors.js";
import { trimTrailingSlashes } from "../spec/base-url.js";
import { firstIssue } from "./issues.js";

export interface ChainLink {
  name: string;
  /** Where simulate/verify POST this link's payloads. */
  url: string;
}

// The reference puts no rule on link names; lowercase-and-underscores is what this tool generates,
// so a chain configured for a server in another language may use any name.
const AnyChainSchema = z.array(ChainEntrySchema.extend({ name: z.string().min(1) })).min(1, "the chain has no links");

/** `--url` as a base: http(s) only, no trailing slash. */
export function parseBaseUrl(value: string, from = "--url"): URL {
  const what = from === "--url" ? `--url ${JSON.stringify(value)}` : `the URL ${JSON.stringify(value)} from ${from}`;
  let url: URL;
  try {
    // `localhost:3000` parses as a URL with the scheme "localhost:"; without "//" it is a typo.
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) throw new Error("no scheme");
    url = new URL(value);
  } catch {
    throw new UserError(`${what} is not a URL (expected e.g. http://localhost:3000)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UserError(`${what} must be http or https, not ${url.protocol.slice(0, -1)}`);
  url.pathname = trimTrailingSlashes(url.pathname);
  url.hash = "";
  return url;
}

/**
 * The URL to POST a link to when its chain.json endpoint is served at `base`: the host is replaced,
 * so a chain.json pointing at production runs against a local server. An endpoint ending in the
 * link's name (`https://prod/api/pin_vetting`) becomes `<base>/pin_vetting`; any other endpoint
 * (one URL shared by every link, dispatching on the payload's name) keeps its path under `<base>`.
 * The endpoint's query (e.g. `?token=`) is kept: that is what Agent4 would send.
 */
export function resolveEndpoint(base: URL, name: string, endpoint: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(endpoint);
  } catch {
    parsed = undefined;
  }
  const segments = (parsed?.pathname ?? "").split("/").filter(Boolean);
  const last = segments.at(-1);
  const tail = last !== undefined && safeDecode(last) === name ? `/${last}` : segments.length ? `/${segments.join("/")}` : "/";
  const target = new URL(base.href);
  target.pathname = `${base.pathname}${tail}`.replace(/\/{2,}/g, "/");
  // --url's own query (e.g. ?token=) and the endpoint's both travel; the endpoint's wins a clash.
  for (const [key, value] of parsed?.searchParams ?? []) target.searchParams.set(key, value);
  return target.href;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A URL fit to print: a token in the query is never shown. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.searchParams.has("token")) u.searchParams.set("token", "***");
    return u.href.replace("token=%2A%2A%2A", "token=***");
  } catch {
    return url;
  }
}

/** Reads and validates the chain file; errors name the file and the failing field. */
export async function loadChain(file: string | undefined, base: URL, cwd = process.cwd()): Promise<ChainLink[]> {
  const chainPath = path.resolve(cwd, file ?? "chain.json");
  const shown = path.relative(cwd, chainPath) || chainPath;
  let text: string;
  try {
    text = await readFile(chainPath, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new UserError(file ? `${shown} does not exist` : `no chain.json here (${cwd}); run inside a taskchain project or pass --chain <file>`);
    }
    throw new UserError(`cannot read ${shown}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${shown} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = AnyChainSchema.safeParse(json);
  if (!parsed.success) {
    throw new UserError(`${shown}: ${firstIssue(parsed.error)}`);
  }
  const seen = new Set<string>();
  for (const entry of parsed.data) {
    if (seen.has(entry.name)) throw new UserError(`${shown}: link "${entry.name}" appears twice`);
    seen.add(entry.name);
  }
  return parsed.data.map((entry) => ({ name: entry.name, url: resolveEndpoint(base, entry.name, entry.endpoint) }));
}

// chain.json is the tool's output, but users read and diff it: edits keep its formatting when it
// is JSON.stringify-shaped (any indent), so an added link shows up as the added entry alone.
import { trimTrailingSlashes } from "../spec/base-url.js";

export const CHAIN_JSON = "chain.json";

export interface ChainEntryJson {
  name: string;
  endpoint?: string;
  [key: string]: unknown;
}

export interface ChainJson {
  text: string;
  entries: ChainEntryJson[];
  /** The JSON.stringify indent that reproduces the file exactly, if one does. */
  indent?: number | string;
  newline: string;
}

export function parseChainJson(text: string | undefined): ChainJson | undefined {
  if (text === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(data) || !data.every((e) => e && typeof e === "object" && typeof (e as { name?: unknown }).name === "string")) return undefined;
  const newline = /\r?\n$/.exec(text)?.[0] ?? "";
  const body = newline === "\r\n" ? text.replace(/\r\n/g, "\n") : text;
  const trailer = newline ? "\n" : "";
  const indent = [2, 4, "\t", 3, 8, 1, 0].find((i) => JSON.stringify(data, null, i) + trailer === body);
  return { text, entries: data as ChainEntryJson[], indent, newline };
}

/** The new chain.json text for `entries`, in the old file's formatting when it had a reproducible one. */
export function formatChainJson(entries: readonly ChainEntryJson[], like: ChainJson | undefined): string {
  if (!like || like.indent === undefined) return `${JSON.stringify(entries, null, 2)}\n`;
  const out = JSON.stringify(entries, null, like.indent) + (like.newline ? "\n" : "");
  return like.newline === "\r\n" ? out.replace(/\n/g, "\r\n") : out;
}

export function endpointFor(base: string, name: string): string {
  return `${trimTrailingSlashes(base)}/${name}`;
}

/** `[{name, endpoint}]` for these links, as Agent4's chain configuration takes it (create's too). */
export function chainJsonFor(names: readonly string[], base: string, like?: ChainJson): string {
  return formatChainJson(names.map((name) => ({ name, endpoint: endpointFor(base, name) })), like);
}

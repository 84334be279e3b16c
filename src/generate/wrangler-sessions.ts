// A Workers store's lines in wrangler.jsonc: the SESSIONS binding (and, for a Durable Object, the
// migration creating its class). create writes them; `create-taskchain sessions` swaps them.
import type { SessionStoreName } from "../spec/spec.js";
import { STORE_FEATURES } from "./features.js";
import { renderPartial } from "./templates.js";

/** The store's wrangler.jsonc lines, or "" for a store that binds nothing. */
export function wranglerSessions(store: SessionStoreName): string {
  return renderPartial(`${STORE_FEATURES[store].folder}/_partial.wrangler.jsonc.ejs`, {});
}

/**
 * A pattern for `lines` as written, where a placeholder value the user is told to replace
 * (`"replace-with-…"`, the KV namespace id) may hold anything.
 */
function asWritten(lines: string): RegExp {
  const escaped = lines.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(escaped.replace(/"replace-with-[a-z-]+"/g, '"[^"\\n]*"'));
}

/**
 * wrangler.jsonc with the `from` store's lines replaced by the `to` store's; undefined when the
 * `from` lines are no longer there as written (the user changed them: the swap is theirs to make).
 */
export function swapWranglerSessions(text: string, from: SessionStoreName, to: SessionStoreName): string | undefined {
  const old = wranglerSessions(from);
  const next = wranglerSessions(to);
  const newline = text.includes("\r\n") ? "\r\n" : "\n";
  const lf = text.replaceAll("\r\n", "\n");
  const match = old ? asWritten(old).exec(lf) : null;
  if (!match) return undefined;
  const swapped = lf.slice(0, match.index) + next + lf.slice(match.index + match[0].length);
  return swapped.replaceAll("\n", newline);
}

// The generated README's chain section: a marked block that mirrors chain.json, so the commands
// that rewrite chain.json keep the README true. A README without the markers is the user's alone.
import { parseChainJson } from "./chain-json.js";

export const README = "README.md";
const START = "<!-- taskchain:chain (rewritten by create-taskchain; edit around it) -->";
const END = "<!-- /taskchain:chain -->";

/** The block for a chain.json text: the links in order with their endpoints. */
export function chainBlock(chainJson: string): string {
  const entries = parseChainJson(chainJson)?.entries ?? [];
  const rows = entries.map((e, i) => `| ${i + 1} | \`${e.name}\` | ${typeof e.endpoint === "string" ? `\`${e.endpoint}\`` : "—"} |`);
  return [START, "| # | link | endpoint |", "| --- | --- | --- |", ...rows, END].join("\n");
}

/** `readme` with its block rewritten for `chainJson`; undefined when it has no block to rewrite. */
export function withChainBlock(readme: string, chainJson: string): string | undefined {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END, start);
  if (start < 0 || end < 0) return undefined;
  const block = chainBlock(chainJson);
  const newline = readme.includes("\r\n") ? "\r\n" : "\n";
  return readme.slice(0, start) + block.replaceAll("\n", newline) + readme.slice(end + END.length);
}

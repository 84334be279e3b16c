// The generated README's chain section: a marked block that mirrors chain.json and draws the chain's
// graph, so the commands that rewrite chain.json keep the README true. A README without the markers
// is the user's alone.
import { graphFromMermaid, mermaid, type ChainGraph } from "./chain-graph.js";
import { parseChainJson } from "./chain-json.js";

export const README = "README.md";
const START = "<!-- taskchain:chain (rewritten by create-taskchain; edit around it) -->";
const END = "<!-- /taskchain:chain -->";

/** The block for a chain.json text and the chain's graph: the links in order with their endpoints, then the graph (GitHub draws Mermaid). */
export function chainBlock(chainJson: string, graph: ChainGraph): string {
  const entries = parseChainJson(chainJson)?.entries ?? [];
  const rows = entries.map((e, i) => `| ${i + 1} | \`${e.name}\` | ${typeof e.endpoint === "string" ? `\`${e.endpoint}\`` : "—"} |`);
  return [START, "| # | link | endpoint |", "| --- | --- | --- |", ...rows, "", "```mermaid", mermaid(graph).trimEnd(), "```", END].join("\n");
}

/** `readme` with its block rewritten for `chainJson` and `graph`; undefined when it has no block to rewrite. */
export function withChainBlock(readme: string, chainJson: string, graph: ChainGraph): string | undefined {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END, start);
  if (start < 0 || end < 0) return undefined;
  const block = chainBlock(chainJson, graph);
  const newline = readme.includes("\r\n") ? "\r\n" : "\n";
  return readme.slice(0, start) + block.replaceAll("\n", newline) + readme.slice(end + END.length);
}

export function hasChainBlock(readme: string): boolean {
  const start = readme.indexOf(START);
  return start >= 0 && readme.indexOf(END, start) >= 0;
}

/** The graph the README's chain section draws, when this tool drew it and it reads back exactly. */
export function drawnGraph(readme: string): ChainGraph | undefined {
  const start = readme.indexOf(START);
  const block = readme.slice(start, readme.indexOf(END, start)).replaceAll("\r\n", "\n");
  const drawn = start >= 0 ? /\n```mermaid\n([^`]*)```\n$/.exec(block) : null;
  return drawn ? graphFromMermaid(drawn[1]!) : undefined;
}

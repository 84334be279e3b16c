// The one way the edit commands write chain.json: into the change set, with the README's chain
// block kept in step.
import type { ChangeSet } from "../fs/changeset.js";
import { CHAIN_JSON, chainJsonFor, formatChainJson, type ChainEntryJson, type ChainJson } from "../generate/chain-json.js";
import type { ChainGraph } from "../generate/chain-graph.js";
import { README, withChainBlock } from "../generate/readme-chain.js";
import { readText } from "./project.js";
import { sameList } from "./load.js";

/**
 * chain.json as `chain` in the change set, and the README's chain block with it and the chain's
 * graph: every command that rewrites chain.json goes through here.
 */
export function writeChainJson(set: ChangeSet, root: string, chain: string, graph: ChainGraph | undefined, current = readText(root, CHAIN_JSON)): void {
  if (current === undefined) set.create(CHAIN_JSON, chain);
  else set.update(CHAIN_JSON, current, chain);
  const readme = readText(root, README);
  // No graph only when the README has no chain section to draw it in.
  const next = readme === undefined || graph === undefined ? undefined : withChainBlock(readme, chain, graph);
  if (readme !== undefined && next !== undefined) set.update(README, readme, next);
}

/** chain.json after a change of the name list: a minimal edit when it was current, else regenerated. */
export function nextChainJson(chainJson: ChainJson | undefined, oldNames: readonly string[], next: (entries: ChainEntryJson[]) => ChainEntryJson[], newNames: readonly string[], base: string): string {
  if (chainJson && sameList(chainJson.entries.map((e) => e.name), oldNames)) return formatChainJson(next([...chainJson.entries]), chainJson);
  return chainJsonFor(newNames, base, chainJson);
}

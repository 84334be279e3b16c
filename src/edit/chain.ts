// The chain command's core: chain.json and LinkName brought in line with the code.
import { ChangeSet } from "../fs/changeset.js";
import { UserError } from "../errors.js";
import { CHAIN_JSON, chainJsonFor, parseChainJson } from "../generate/chain-json.js";
import { README, withChainBlock } from "../generate/readme-chain.js";
import { trimTrailingSlashes } from "../spec/base-url.js";
import type { ChainGraph } from "../generate/chain-graph.js";
import { chainGraph } from "./graph.js";
import { findSwitchTasks, resolveChain } from "./links.js";
import { parseSource } from "./parse.js";
import { baseUrlFor, readText, withBaseUrl, type TaskchainProject } from "./project.js";
import { readLinkName, type Registry } from "./registry.js";
import { unionInsertEdits, unionRemoveEdits } from "./registry-edits.js";
import { applyEdits } from "./text.js";
import { load } from "./load.js";
import { writeChainJson } from "./write-chain-json.js";

export interface ChainStatus {
  names: string[];
  /** The endpoint base: --base-url checked and normalised, else the project's. */
  base: string;
  expected: string;
  current: string | undefined;
  /** The chain's graph, from the code. */
  graph: ChainGraph;
  /** README.md as its chain block should read; undefined when it has no block. */
  readmeExpected: string | undefined;
  /** README.md's chain block differs from the one for `expected` and `graph`. */
  readmeStale: boolean;
  /** switchTask() targets that are not links of the chain: "file:line: …". */
  dangling: string[];
  /** LinkName members missing from / extra to the chain. */
  unionMissing: string[];
  unionExtra: string[];
  /** LinkName's file (the registry, usually) brought in line with the chain (when LinkName lists names). */
  registry: { rel: string; before: string; after: string };
}

export async function chainStatus(project: TaskchainProject, baseUrl?: string): Promise<ChainStatus> {
  const base = baseUrlFor(project, baseUrl, true);
  const loaded = await load(project);
  const { ts, reg } = loaded;
  const links = resolveChain(ts, project.root, reg);
  const names = links.map((l) => l.name);
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new UserError(`link "${n}" appears twice in the chain (${reg.parsed.rel})`);
    seen.add(n);
  }
  const dangling = findSwitchTasks(ts, project.root)
    .filter((r) => !seen.has(r.target))
    .map((r) => `${r.file}:${r.line}: switchTask("${r.target}") — "${r.target}" is not a link of the chain`);
  const unionNames = reg.union?.names ?? names;
  const unionMissing = names.filter((n) => !unionNames.includes(n));
  const unionExtra = unionNames.filter((n) => !seen.has(n));
  // Bring LinkName in line one member at a time, each a minimal edit of its file.
  const { rel, text: before } = reg.names;
  let linkName: Pick<Registry, "union" | "names"> = reg;
  const reread = (text: string) => {
    const parsed = parseSource(ts, rel, text);
    return { names: parsed, ...readLinkName(ts, parsed) };
  };
  for (const extra of unionExtra) linkName = reread(applyEdits(linkName.names.text, unionRemoveEdits(linkName, extra)));
  for (const missing of unionMissing) {
    const at = names.indexOf(missing);
    linkName = reread(applyEdits(linkName.names.text, unionInsertEdits(linkName, missing, names[at - 1], names[at + 1])));
  }
  // Compared and written in the file's own layout (indent, CRLF), so only a real difference is stale.
  const current = readText(project.root, CHAIN_JSON);
  const expected = chainJsonFor(names, base, parseChainJson(current));
  const readme = readText(project.root, README);
  const graph = chainGraph(ts, project.root, links);
  const readmeExpected = readme === undefined ? undefined : withChainBlock(readme, expected, graph);
  const readmeStale = readmeExpected !== undefined && readmeExpected !== readme;
  return { names, base, expected, current, graph, readmeExpected, readmeStale, dangling, unionMissing, unionExtra, registry: { rel, before, after: linkName.names.text } };
}


export interface ChainPlan {
  set: ChangeSet;
  status: ChainStatus;
  /** Set when a new --base-url could not be written into package.json for the user. */
  note?: string;
}

/** chain.json and LinkName from the code; a new --base-url also becomes the project's configured one. */
export async function planChain(project: TaskchainProject, baseUrl?: string): Promise<ChainPlan> {
  const status = await chainStatus(project, baseUrl);
  const set = new ChangeSet(project.root);
  writeChainJson(set, project.root, status.expected, status.graph, status.current);
  set.update(status.registry.rel, status.registry.before, status.registry.after);
  // So add-link and chain --check agree with it afterwards.
  const base = baseUrl === undefined ? undefined : status.base;
  if (!base || base === trimTrailingSlashes(project.baseUrl)) return { set, status };
  const pkg = readText(project.root, "package.json")!;
  const next = withBaseUrl(pkg, base);
  if (!next) return { set, status, note: `note: set "taskchain".baseUrl in package.json to ${base} yourself, or pass --base-url to every chain --check` };
  set.update("package.json", pkg, next);
  return { set, status };
}

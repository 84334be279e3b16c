// add-link's core: the new link's place, its files, the registry and LinkName edits, chain.json.
import { ChangeSet } from "../fs/changeset.js";
import { endpointFor } from "../generate/chain-json.js";
import { templateRoutes, withLinkInserted } from "../generate/chain-graph.js";
import { drawnGraph, hasChainBlock, README } from "../generate/readme-chain.js";
import { readChainGraph } from "./graph.js";
import { renderLinkFiles } from "../generate/project.js";
import { linkNameProblem } from "../spec/names.js";
import type { LinkSpec } from "../spec/spec.js";
import { UserError } from "../errors.js";
import { baseUrlFor, readText, type TaskchainProject } from "./project.js";
import { insertEdits, unionInsertEdits } from "./registry-edits.js";
import { chainNames, checkedRegistry, checkNewName, listed, load, registryUpdates } from "./load.js";
import { nextChainJson, writeChainJson } from "./write-chain-json.js";

export interface AddLinkPlan {
  name: string;
  names: string[];
  index: number;
  /** Builds the change set once the link's parameters and prompt are known. */
  build(link: LinkSpec): ChangeSet;
}

export async function planAddLink(project: TaskchainProject, name: string, where: { after?: string; before?: string }): Promise<AddLinkPlan> {
  const problem = linkNameProblem(name);
  if (problem) throw new UserError(problem);
  if (where.after !== undefined && where.before !== undefined) throw new UserError("give --after or --before, not both");
  const base = baseUrlFor(project);
  const loaded = await load(project);
  const names = chainNames(loaded, project.root);
  const { ts, reg, chainJson } = loaded;
  const anchor = where.after ?? where.before;
  let index = names.length;
  if (anchor !== undefined) {
    const at = names.indexOf(anchor);
    if (at < 0) throw new UserError(`--${where.after !== undefined ? "after" : "before"} ${anchor}: no such link in the chain (links: ${listed(names)})`);
    index = where.after !== undefined ? at + 1 : at;
  }
  const ident = checkNewName(loaded, project.root, names, name);
  const newNames = [...names.slice(0, index), name, ...names.slice(index)];
  const updates = registryUpdates(reg, insertEdits(reg, { ident, name, index }), unionInsertEdits(reg, name, names[index - 1], names[index]));
  for (const u of updates) checkedRegistry(ts, u.rel, u.after);
  const chain = nextChainJson(chainJson, names, (e) => [...e.slice(0, index), { name, endpoint: endpointFor(base, name) }, ...e.slice(index)], newNames, base);
  // The README's graph as drawn, when it reads back exactly, spares reading every link file; the new
  // link's file comes from the link template, so its routes are the template's.
  const readme = readText(project.root, README);
  const drawn = readme !== undefined && hasChainBlock(readme) ? (drawnGraph(readme) ?? (await readChainGraph(project.root))) : undefined;
  const graph = drawn && withLinkInserted(drawn, index, name, templateRoutes(name));
  return {
    name,
    names: newNames,
    index,
    build(link) {
      const set = new ChangeSet(project.root);
      const { source, test } = renderLinkFiles(link);
      set.create(source.path, source.content);
      set.create(test.path, test.content);
      for (const u of updates) set.update(u.rel, u.before, u.after);
      writeChainJson(set, project.root, chain, graph, chainJson?.text);
      return set;
    },
  };
}

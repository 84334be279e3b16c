// remove-link's core: the entry, its import, its file and test out, unless something still uses it.
import { ChangeSet } from "../fs/changeset.js";
import { UserError } from "../errors.js";
import { withLinkRemoved } from "../generate/chain-graph.js";
import { chainGraph } from "./graph.js";
import { findSwitchTasks, importersOf, type SwitchRef } from "./links.js";
import { baseUrlFor, readText, type TaskchainProject } from "./project.js";
import { REGISTRY } from "./registry.js";
import { otherUses, removeEdits, unionRemoveEdits } from "./registry-edits.js";
import { definitionRemoval } from "./source-edits.js";
import { lineOf } from "./text.js";
import { bringsIn, checkedRegistry, Edits, locate, testFileOf } from "./load.js";
import { nextChainJson, writeChainJson } from "./write-chain-json.js";

export interface RemoveResult {
  set: ChangeSet;
  /** References left behind (with --force). */
  dangling: string[];
}

export async function planRemoveLink(project: TaskchainProject, name: string, force: boolean): Promise<RemoveResult> {
  const located = await locate(project, name);
  const { ts, reg, chainJson, names, index, link, links } = located;
  const root = project.root;
  if (names.length === 1) throw new UserError(`"${name}" is the only link of the chain; a chain needs at least one`);
  const entry = reg.entries[index]!;
  if (entry.ident && entry.import) {
    const uses = otherUses(reg, entry.ident, entry);
    if (uses.length) throw new UserError(`${reg.parsed.rel}:${lineOf(reg.parsed.text, uses[0]!.getStart(reg.parsed.sf))} uses ${entry.ident} outside the chain; remove that use first`);
  }
  const registryFiles = new Set([REGISTRY, reg.parsed.rel, reg.names.rel]);
  // A file that keeps other code (the registry, or one defining other links of the chain) stays:
  // only the link's definition comes out of it.
  const others = links.filter((l, i) => i !== index && l.file === link.file).map((l) => l.exportName);
  const shared = registryFiles.has(link.file) || others.length > 0;
  const cut = shared ? definitionRemoval(link.parsed, link.nameLiteral, link.file === reg.parsed.rel ? [entry.node] : []) : undefined;
  if (typeof cut === "string") throw new UserError(`cannot take the definition of "${name}" out of ${link.file}: ${cut}; remove it there by hand, or move it to a file of its own`);
  const ownFile = registryFiles.has(link.file) ? undefined : link.file;
  if (ownFile && shared && !cut) throw new UserError(`cannot take the definition of "${name}" out of ${ownFile}: it is no \`const … = defineLink(…)\` statement of its own; remove it there by hand`);
  const test = ownFile ? testFileOf(ts, root, link, name, others) : undefined;
  // switchTask() calls inside what goes away are no references to worry about.
  const gone = cut ?? (link.file === reg.parsed.rel ? { pos: entry.node.pos, end: entry.node.end } : undefined);
  const inRemoved = (r: SwitchRef) => r.file === link.file && (!gone || (r.literal.pos >= gone.pos && r.literal.end <= gone.end));
  const refs = findSwitchTasks(ts, root).filter((r) => r.target === name && r.file !== test && !inRemoved(r));
  // Only the chain's own file is left out (its import goes with the entry): src/links/index.ts or
  // LinkName's file, once the chain lives elsewhere, can import the link like any other file.
  const importers = ownFile ? importersOf(ts, root, ownFile, [reg.parsed.rel, ...(test ? [test] : [])]).filter((i) => !shared || bringsIn(ts, i.decl, link.exportName)) : [];
  const described = [...refs.map((r) => `${r.file}:${r.line} switchTask("${r.target}")`), ...importers.map((i) => `${i.parsed.rel}:${i.line} imports ${shared ? `${link.exportName} from ` : ""}${ownFile}`)];
  if (described.length && !force) {
    throw new UserError(`"${name}" is still referenced: ${described.join("; ")} — change those first, or pass --force`);
  }
  const base = baseUrlFor(project);
  const set = new ChangeSet(root);
  const edits = new Edits();
  edits.add(reg.parsed, removeEdits(reg, index));
  edits.add(reg.names, unionRemoveEdits(reg, name));
  if (cut) edits.add(link.parsed, cut.edits);
  else if (ownFile) set.delete(ownFile, link.parsed.text);
  for (const [rel, { parsed }] of edits.files) {
    const after = edits.result(rel, parsed.text);
    set.update(rel, parsed.text, registryFiles.has(rel) ? checkedRegistry(ts, rel, after) : after);
  }
  if (test) set.delete(test, readText(root, test)!);
  const newNames = names.filter((_, i) => i !== index);
  const chain = nextChainJson(chainJson, names, (e) => e.filter((_, i) => i !== index), newNames, base);
  writeChainJson(set, root, chain, withLinkRemoved(chainGraph(ts, root, links), name));
  return { set, dangling: described };
}

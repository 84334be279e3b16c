// rename-link's core: the name literal, the identifier when it is the conventional one, the file
// and its test when they carry the name, every import of it and every switchTask() reference.
import path from "node:path";
import { ChangeSet } from "../fs/changeset.js";
import { UserError } from "../errors.js";
import { linkIdentifier } from "../spec/names.js";
import { withLinkRenamed } from "../generate/chain-graph.js";
import { chainGraph } from "./graph.js";
import { findSwitchTasks, importersOf, type SwitchRef } from "./links.js";
import { baseUrlFor, readText, type TaskchainProject } from "./project.js";
import { REGISTRY } from "./registry.js";
import { unionEditsForRename } from "./registry-edits.js";
import { renameIdentifier, replaceLiteral } from "./source-edits.js";
import type { TextEdit } from "./text.js";
import { checkedRegistry, checkNewName, Edits, locate, testFileOf } from "./load.js";
import { nextChainJson, writeChainJson } from "./write-chain-json.js";

export async function planRenameLink(project: TaskchainProject, from: string, to: string): Promise<{ set: ChangeSet; updatedRefs: SwitchRef[]; moves: Array<{ from: string; to: string }> }> {
  if (from === to) throw new UserError(`"${from}" already has that name`);
  const located = await locate(project, from);
  const { ts, reg, chainJson, names, index, link } = located;
  const root = project.root;
  checkNewName(located, root, names, to);
  const base = baseUrlFor(project);
  const oldIdent = linkIdentifier(from);
  const newIdent = linkIdentifier(to);
  const edits = new Edits();
  const moves = new Map<string, string>();

  const registryFiles = new Set([REGISTRY, reg.parsed.rel, reg.names.rel]);
  const ownFile = registryFiles.has(link.file) ? undefined : link.file;
  const fileBase = ownFile ? path.posix.basename(ownFile).replace(/\.[^.]+$/, "") : undefined;
  const moveFile = ownFile !== undefined && fileBase === from;
  if (ownFile && moveFile) moves.set(ownFile, ownFile.replace(/[^/]+$/, (f) => f.replace(from, to)));
  // The identifier follows the name only when it is the conventional one.
  const renameIdent = link.exportName === oldIdent || (link.file === reg.parsed.rel && reg.entries[index]!.ident === oldIdent);

  edits.add(link.parsed, [replaceLiteral(link.nameLiteral, link.parsed.sf, to)]);
  if (renameIdent && ownFile) edits.add(link.parsed, renameIdentifier(link.parsed, oldIdent, newIdent));

  // Registry: specifier, identifier, LinkName member.
  const entry = reg.entries[index]!;
  edits.add(reg.names, unionEditsForRename(reg, from, to));
  const regEdits: TextEdit[] = [];
  if (entry.import && moveFile) regEdits.push(replaceLiteral(entry.import.decl.moduleSpecifier, reg.parsed.sf, entry.import.module.replace(new RegExp(`${from}(?=(\\.[a-z]+)?$)`), to)));
  if (renameIdent) regEdits.push(...renameIdentifier(reg.parsed, oldIdent, newIdent));
  edits.add(reg.parsed, regEdits);

  // Other files importing the link (its test first of all).
  const test = ownFile ? testFileOf(ts, root, link, from, located.links.filter((l, i) => i !== index && l.file === link.file).map((l) => l.exportName)) : undefined;
  if (ownFile) {
    // Every file, src/links/index.ts too when the chain lives elsewhere. In the chain's own file the
    // entry's import and every identifier are edited above; another import or re-export there is not.
    for (const imp of importersOf(ts, root, ownFile, [])) {
      const inChain = imp.parsed.rel === reg.parsed.rel;
      if (inChain && imp.decl.pos === entry.import?.decl.pos) continue;
      const spec = imp.decl.moduleSpecifier!;
      const fileEdits: TextEdit[] = [];
      if (moveFile) fileEdits.push(replaceLiteral(spec, imp.parsed.sf, (spec as { text?: string }).text!.replace(new RegExp(`${from}(?=(\\.[a-z]+)?$)`), to)));
      if (renameIdent && !inChain) fileEdits.push(...renameIdentifier(imp.parsed, oldIdent, newIdent));
      edits.add(imp.parsed, fileEdits);
    }
  }
  if (test && path.posix.basename(test) === `${from}.test.ts`) moves.set(test, test.replace(/[^/]+$/, `${to}.test.ts`));

  const refs = findSwitchTasks(ts, root).filter((r) => r.target === from);
  for (const r of refs) edits.add(r.parsed, [replaceLiteral(r.literal, r.parsed.sf, to)]);

  const set = new ChangeSet(root);
  for (const [rel, { parsed }] of edits.files) {
    const after = edits.result(rel, parsed.text);
    const target = moves.get(rel);
    if (target) {
      set.delete(rel, parsed.text);
      set.create(target, after);
    } else set.update(rel, parsed.text, after);
  }
  for (const [rel, target] of moves) {
    if (edits.files.has(rel)) continue;
    const text = readText(root, rel)!;
    set.delete(rel, text);
    set.create(target, text);
  }
  for (const rel of registryFiles) {
    const after = set.pending(rel);
    if (after) checkedRegistry(ts, rel, after);
  }
  const newNames = names.map((n) => (n === from ? to : n));
  const chain = nextChainJson(
    chainJson,
    names,
    (e) => e.map((x, i) => (i !== index ? x : { ...x, name: to, ...(typeof x.endpoint === "string" && x.endpoint.endsWith(`/${from}`) ? { endpoint: x.endpoint.slice(0, -from.length) + to } : {}) })),
    newNames,
    base,
  );
  writeChainJson(set, root, chain, withLinkRenamed(chainGraph(ts, root, located.links), from, to));
  return { set, updatedRefs: refs, moves: [...moves].map(([a, b]) => ({ from: a, to: b })) };
}

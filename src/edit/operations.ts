// The four edit commands' cores: project on disk → ChangeSet. No prompts, no writes.
import { existsSync } from "node:fs";
import type { ts as TS } from "ts-morph";
import path from "node:path";
import { UserError } from "../errors.js";
import { ChangeSet } from "../fs/changeset.js";
import { renderLinkFiles } from "../generate/project.js";
import { linkIdentifier, linkNameProblem } from "../spec/names.js";
import type { LinkSpec } from "../spec/spec.js";
import { drawnGraph, hasChainBlock, README, withChainBlock } from "./readme.js";
import { templateRoutes, withLinkInserted, withLinkRemoved, withLinkRenamed, type ChainGraph } from "./chain-graph.js";
import { chainGraph, readChainGraph } from "./graph.js";
import { chainJsonFor, endpointFor, formatChainJson, parseChainJson, type ChainEntryJson, type ChainJson } from "./chain-json.js";
import { readRegistryFast } from "./fast-registry.js";
import { findSwitchTasks, importersOf, readParsed, resolveChain, resolveModule, type ResolvedLink, type SwitchRef } from "./links.js";
import { loadTs, parseSource, stringValue, type Parsed, type Ts } from "./parse.js";
import { baseUrlFor, readText, withBaseUrl, type TaskchainProject } from "./project.js";
import { definitionRemoval, insertEdits, moduleBase, otherUses, readLinkName, readRegistry, REGISTRY, removeEdits, renameIdentifier, replaceLiteral, unionEditsForRename, unionInsertEdits, unionRemoveEdits, type OpenModule, type Registry } from "./registry.js";
import { applyEdits, lineOf, type TextEdit } from "./text.js";
import { trimTrailingSlashes } from "../spec/base-url.js";

export const CHAIN_JSON = "chain.json";

function readRequired(root: string, rel: string): string {
  const text = readText(root, rel);
  if (text === undefined) throw new UserError(`${rel} not found in ${root}: the chain registry is missing (is this a taskchain project?)`);
  return text;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const s = new Set(a);
  return a.length === b.length && b.every((x) => s.has(x));
}

function listed(names: readonly string[]): string {
  return names.length ? names.join(", ") : "none";
}

interface Loaded {
  ts: Ts;
  reg: Registry;
  chainJson?: ChainJson;
}

async function load(project: TaskchainProject): Promise<Loaded> {
  const text = readRequired(project.root, REGISTRY);
  const ts = await loadTs();
  const open: OpenModule = (from, specifier) => {
    const rel = resolveModule(project.root, from, specifier);
    return rel ? readParsed(ts, project.root, rel) : undefined;
  };
  const reg = readRegistry(ts, text, open);
  return { ts, reg, chainJson: parseChainJson(readText(project.root, CHAIN_JSON)) };
}

/** Per-file text edits, applied together. */
class Edits {
  readonly files = new Map<string, { parsed: Parsed; edits: TextEdit[] }>();
  add(parsed: Parsed, edits: TextEdit[]): void {
    const entry = this.files.get(parsed.rel) ?? { parsed, edits: [] };
    entry.edits.push(...edits);
    this.files.set(parsed.rel, entry);
  }
  result(rel: string, text: string): string {
    const entry = this.files.get(rel);
    return entry ? applyEdits(text, entry.edits) : text;
  }
}

/** The registry's files (the chain's, LinkName's: often one) after these edits of each. */
function registryUpdates(reg: Registry, chainEdits: TextEdit[], nameEdits: TextEdit[]): Array<{ rel: string; before: string; after: string }> {
  const edits = new Edits();
  edits.add(reg.parsed, chainEdits);
  edits.add(reg.names, nameEdits);
  return [...edits.files].map(([rel, { parsed }]) => ({ rel, before: parsed.text, after: edits.result(rel, parsed.text) }));
}

/**
 * The chain's link names. Fast path, reading no link file: when every entry is imported from a
 * file named after its link and chain.json and LinkName agree with those file names, they are
 * the names (create, add-link, rename-link all keep them so). Otherwise each link file is read.
 */
function chainNames(loaded: Loaded, root: string): string[] {
  return agreedNames(loaded.reg, loaded.chainJson) ?? resolveChain(loaded.ts, root, loaded.reg).map((r) => r.name);
}

/** The names when file names, chain.json and LinkName all agree on them; else undefined. */
function agreedNames(reg: Registry, chainJson: ChainJson | undefined): string[] | undefined {
  const guessed = reg.entries.map((e) => (e.import?.module.startsWith(".") ? moduleBase(e.import.module) : undefined));
  if (guessed.every((g): g is string => g !== undefined) && chainJson && sameList(guessed, chainJson.entries.map((e) => e.name)) && (!reg.union || sameSet(guessed, reg.union.names))) {
    return guessed;
  }
  return undefined;
}

/**
 * chain.json as `chain` in the change set, and the README's chain block with it and the chain's
 * graph: every command that rewrites chain.json goes through here.
 */
function writeChainJson(set: ChangeSet, root: string, chain: string, graph: ChainGraph | undefined, current = readText(root, CHAIN_JSON)): void {
  if (current === undefined) set.create(CHAIN_JSON, chain);
  else set.update(CHAIN_JSON, current, chain);
  const readme = readText(root, README);
  // No graph only when the README has no chain section to draw it in.
  const next = readme === undefined || graph === undefined ? undefined : withChainBlock(readme, chain, graph);
  if (readme !== undefined && next !== undefined) set.update(README, readme, next);
}

/** chain.json after a change of the name list: a minimal edit when it was current, else regenerated. */
function nextChainJson(chainJson: ChainJson | undefined, oldNames: readonly string[], next: (entries: ChainEntryJson[]) => ChainEntryJson[], newNames: readonly string[], base: string): string {
  if (chainJson && sameList(chainJson.entries.map((e) => e.name), oldNames)) return formatChainJson(next([...chainJson.entries]), chainJson);
  return chainJsonFor(newNames, base, chainJson);
}

function checkNewName(loaded: Loaded, root: string, names: readonly string[], name: string): string {
  const problem = linkNameProblem(name);
  if (problem) throw new UserError(problem);
  const { reg, chainJson } = loaded;
  if (names.includes(name) || reg.union?.names.includes(name) || chainJson?.entries.some((e) => e.name === name)) throw new UserError(`link "${name}" already exists in this chain`);
  const ident = linkIdentifier(name);
  for (const rel of [`src/links/${name}.ts`, `test/${name}.test.ts`]) if (existsSync(path.join(root, rel))) throw new UserError(`${rel} already exists; pick another name or remove that file`);
  const twin = names.find((n) => linkIdentifier(n) === ident);
  if (twin) throw new UserError(`links "${twin}" and "${name}" both become the identifier ${ident}; pick another name`);
  if (reg.bindings.has(ident)) throw new UserError(`${reg.parsed.rel} already declares ${ident}; pick another name`);
  return ident;
}

function checkedFast(text: string, idents: string[]): string {
  const again = readRegistryFast(text);
  if (!again || !sameList(again.entries.map((e) => e.ident!), idents)) throw new Error(`add-link produced a registry it cannot read back:\n${text}`);
  return text;
}

function checkedRegistry(ts: Ts, rel: string, text: string): string {
  parseSource(ts, rel, text); // our own edit must still parse; a failure here is a bug, not the user's
  return text;
}

// --- add-link -------------------------------------------------------------------------------

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
  // The plain registry shape with names everyone agrees on needs no compiler at all.
  const text = readRequired(project.root, REGISTRY);
  const fast = readRegistryFast(text);
  const fastJson = fast && parseChainJson(readText(project.root, CHAIN_JSON));
  const fastNames = fast && agreedNames(fast, fastJson);
  let loaded: Loaded;
  let names: string[];
  if (fast && fastNames) {
    loaded = { ts: undefined as unknown as Ts, reg: fast, chainJson: fastJson };
    names = fastNames;
  } else {
    loaded = await load(project);
    names = chainNames(loaded, project.root);
  }
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
  // Our own edit must still parse (a failure would be a bug, not the user's): the fast path (one
  // file) re-reads it with its grammar and must find exactly the new chain.
  const idents = reg.entries.map((e) => e.ident!);
  for (const u of updates) {
    if (fastNames) checkedFast(u.after, [...idents.slice(0, index), ident, ...idents.slice(index)]);
    else checkedRegistry(ts, u.rel, u.after);
  }
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

// --- shared by remove and rename ---------------------------------------------------------------

interface Located extends Loaded {
  links: ResolvedLink[];
  names: string[];
  index: number;
  link: ResolvedLink;
}

async function locate(project: TaskchainProject, name: string): Promise<Located> {
  const loaded = await load(project);
  const links = resolveChain(loaded.ts, project.root, loaded.reg);
  const names = links.map((l) => l.name);
  const index = names.indexOf(name);
  if (index < 0) throw new UserError(`no link "${name}" in the chain (links: ${listed(names)})`);
  return { ...loaded, links, names, index, link: links[index]! };
}

/** Does an import (or re-export) declaration bring in `name`, or everything (`* as x`, `export *`)? */
function bringsIn(ts: Ts, decl: TS.ImportDeclaration | TS.ExportDeclaration, name: string): boolean {
  if (ts.isImportDeclaration(decl)) {
    if (name === "default" && decl.importClause?.name) return true;
    const nb = decl.importClause?.namedBindings;
    if (!nb) return false;
    return ts.isNamespaceImport(nb) || nb.elements.some((s) => (s.propertyName ?? s.name).text === name);
  }
  const clause = decl.exportClause;
  return !clause || ts.isNamespaceExport(clause) || clause.elements.some((s) => (s.propertyName ?? s.name).text === name);
}

/**
 * The link's own test: test/<file or link name>.test.ts importing the link's file (from any folder).
 * When that file defines other links too, the test must import this link and none of them.
 */
function testFileOf(ts: Ts, root: string, link: ResolvedLink, name: string, others: readonly string[]): string | undefined {
  const base = path.posix.basename(link.file).replace(/\.[^.]+$/, "");
  for (const rel of new Set(others.length ? [`test/${name}.test.ts`] : [`test/${base}.test.ts`, `test/${name}.test.ts`])) {
    if (!existsSync(path.join(root, rel))) continue;
    const { sf } = readParsed(ts, root, rel);
    const decls = sf.statements.filter((st): st is TS.ImportDeclaration => ts.isImportDeclaration(st) && resolveModule(root, rel, stringValue(ts, st.moduleSpecifier) ?? "") === link.file);
    if (!decls.length) continue;
    if (!others.length || (decls.some((d) => bringsIn(ts, d, link.exportName)) && !others.some((o) => decls.some((d) => bringsIn(ts, d, o))))) return rel;
  }
  return undefined;
}

// --- remove-link -----------------------------------------------------------------------------

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

// --- rename-link -----------------------------------------------------------------------------

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

// --- chain -----------------------------------------------------------------------------------

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

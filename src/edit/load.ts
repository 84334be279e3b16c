// What the edit commands share: the project's chain loaded (registry, chain.json, link names), a
// new link name checked against it, a link located with its files, and the edits of several files
// gathered and checked.
import { existsSync } from "node:fs";
import path from "node:path";
import type { ts as TS } from "ts-morph";
import { UserError } from "../errors.js";
import { parseChainJson, CHAIN_JSON, type ChainJson } from "../generate/chain-json.js";
import { linkIdentifier, linkNameProblem } from "../spec/names.js";
import { readParsed, resolveChain, resolveModule, type ResolvedLink } from "./links.js";
import { loadTs, parseSource, stringValue, type Parsed, type Ts } from "./parse.js";
import { readText, type TaskchainProject } from "./project.js";
import { moduleBase, readRegistry, REGISTRY, type OpenModule, type Registry } from "./registry.js";
import { applyEdits, type TextEdit } from "./text.js";

function readRequired(root: string, rel: string): string {
  const text = readText(root, rel);
  if (text === undefined) throw new UserError(`${rel} not found in ${root}: the chain registry is missing (is this a taskchain project?)`);
  return text;
}

export function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const s = new Set(a);
  return a.length === b.length && b.every((x) => s.has(x));
}

export function listed(names: readonly string[]): string {
  return names.length ? names.join(", ") : "none";
}

export interface Loaded {
  ts: Ts;
  reg: Registry;
  chainJson?: ChainJson;
}

export async function load(project: TaskchainProject): Promise<Loaded> {
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
export class Edits {
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
export function registryUpdates(reg: Registry, chainEdits: TextEdit[], nameEdits: TextEdit[]): Array<{ rel: string; before: string; after: string }> {
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
export function chainNames(loaded: Loaded, root: string): string[] {
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

export function checkNewName(loaded: Loaded, root: string, names: readonly string[], name: string): string {
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

export function checkedRegistry(ts: Ts, rel: string, text: string): string {
  parseSource(ts, rel, text); // our own edit must still parse; a failure here is a bug, not the user's
  return text;
}

export interface Located extends Loaded {
  links: ResolvedLink[];
  names: string[];
  index: number;
  link: ResolvedLink;
}

export async function locate(project: TaskchainProject, name: string): Promise<Located> {
  const loaded = await load(project);
  const links = resolveChain(loaded.ts, project.root, loaded.reg);
  const names = links.map((l) => l.name);
  const index = names.indexOf(name);
  if (index < 0) throw new UserError(`no link "${name}" in the chain (links: ${listed(names)})`);
  return { ...loaded, links, names, index, link: links[index]! };
}

/** Does an import (or re-export) declaration bring in `name`, or everything (`* as x`, `export *`)? */
export function bringsIn(ts: Ts, decl: TS.ImportDeclaration | TS.ExportDeclaration, name: string): boolean {
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
export function testFileOf(ts: Ts, root: string, link: ResolvedLink, name: string, others: readonly string[]): string | undefined {
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

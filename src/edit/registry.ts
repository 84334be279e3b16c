// The chain registry (src/links/index.ts), read from its syntax tree: the `chain` array (followed
// through aliases like `const links = [...]; export const chain = links;`), the import behind each
// entry, and the `LinkName` union. Edits are computed as minimal text edits in the user's style.
import path from "node:path";
import type { ts as TS } from "ts-morph";
import { UserError } from "../errors.js";
import { parseSource, stringValue, unwrap, walk, type Parsed, type Ts } from "./parse.js";
import { eolOf, indentAt, insert, lineEnd, lineOf, lineStart, nextLineStart, remove, replace, restOfLineIsTrivia, skipTrivia, startsLine, type TextEdit } from "./text.js";

export const REGISTRY = "src/links/index.ts";

export interface LinkImport {
  decl: TS.ImportDeclaration;
  /** The named specifier; undefined for a default import (`import pinVettingLink from "./pin_vetting.js"`). */
  spec?: TS.ImportSpecifier;
  /** The module specifier as written: `./pin_vetting.js`. */
  module: string;
  /** The name exported by the link file ("default" for a default import). */
  imported: string;
}

export interface ChainEntry {
  node: TS.Expression;
  /** The identifier in the array, when the entry is one. */
  ident?: string;
  import?: LinkImport;
}

export interface Registry {
  /** The file declaring the chain array: src/links/index.ts, or the module it takes `chain` from. */
  parsed: Parsed;
  array: TS.ArrayLiteralExpression;
  entries: ChainEntry[];
  /**
   * The link names `LinkName` lists: a union of string literals (`"a" | "b"`), or a tuple of them
   * indexed by number (`type LinkNames = ["a", "b"]; type LinkName = LinkNames[number]`).
   * Undefined when absent or derived some other way (then it needs no edits).
   */
  union?: { members: TS.LiteralTypeNode[]; names: string[]; tuple?: TS.TupleTypeNode };
  /** Whether a LinkName type exists at all (derived or literal). */
  hasLinkName: boolean;
  /** The file declaring LinkName (and holding `union`'s nodes): `parsed` unless it lives elsewhere. */
  names: Parsed;
  /** Every name bound at the top level (imports and declarations). */
  bindings: Set<string>;
  imports: TS.ImportDeclaration[];
}

function hasExport(ts: Ts, node: TS.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

/** Top-level `const x = …` initializers by name. */
function topLevelVariables(ts: Ts, sf: TS.SourceFile): Map<string, { init?: TS.Expression; exported: boolean }> {
  const vars = new Map<string, { init?: TS.Expression; exported: boolean }>();
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (ts.isIdentifier(d.name)) vars.set(d.name.text, { init: d.initializer, exported: hasExport(ts, st) });
    }
  }
  return vars;
}

/** The local name exported as `name`, via `export const name` or `export { local as name }`. */
export function exportedLocal(ts: Ts, sf: TS.SourceFile, name: string): string | undefined {
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st) && hasExport(ts, st)) {
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === name) return name;
    }
    if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const s of st.exportClause.elements) if (s.name.text === name) return (s.propertyName ?? s.name).text;
    }
  }
  return undefined;
}

/** Opens a module a registry file imports from (a relative specifier); undefined when it is no file of the project. */
export type OpenModule = (fromRel: string, specifier: string) => Parsed | undefined;

const notFound = (rel: string) =>
  `cannot find the chain in ${rel} (expected \`export const chain = [ … ]\`, the links in order, or a const array it names); restore that shape and run again — nothing was changed`;

/**
 * Where `name` (the `chain` value or the `LinkName` type) is declared, starting from `parsed`: there,
 * or in the project module it comes from (`export { chain } from "./chain.js"`, `export * from …`,
 * `import { chain } from …; export { chain }`), so a registry split across files is still found.
 */
function declaring(ts: Ts, parsed: Parsed, name: string, kind: "value" | "type", open: OpenModule | undefined, depth = 0): { parsed: Parsed; local: string } | undefined {
  const { sf } = parsed;
  const local = kind === "value" ? (exportedLocal(ts, sf, name) ?? name) : name;
  const declared =
    kind === "value"
      ? sf.statements.some((st) => ts.isVariableStatement(st) && st.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === local))
      : sf.statements.some((st) => ts.isTypeAliasDeclaration(st) && st.name.text === local);
  if (declared) return { parsed, local };
  if (!open || depth >= 4) return undefined;
  const follow = (module: TS.Expression | undefined, imported: string) => {
    const target = module && open(parsed.rel, stringValue(ts, module) ?? "");
    return target ? declaring(ts, target, imported, kind, open, depth + 1) : undefined;
  };
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st)) {
      const nb = st.importClause?.namedBindings;
      const spec = nb && ts.isNamedImports(nb) ? nb.elements.find((e) => e.name.text === local) : undefined;
      if (spec) return follow(st.moduleSpecifier, (spec.propertyName ?? spec.name).text);
    }
    if (ts.isExportDeclaration(st) && st.moduleSpecifier) {
      const clause = st.exportClause;
      if (clause && ts.isNamedExports(clause)) {
        const spec = clause.elements.find((e) => e.name.text === name);
        if (spec) return follow(st.moduleSpecifier, (spec.propertyName ?? spec.name).text);
      } else if (!clause) {
        const found = follow(st.moduleSpecifier, name);
        if (found) return found;
      }
    }
  }
  return undefined;
}

/**
 * The registry from src/links/index.ts's text. With `open`, `chain` and `LinkName` are followed into
 * the project modules index.ts takes them from; without it, only index.ts is read.
 */
export function readRegistry(ts: Ts, text: string, open?: OpenModule): Registry {
  const index = parseSource(ts, REGISTRY, text);
  const at = declaring(ts, index, "chain", "value", open);
  if (!at) throw new UserError(notFound(REGISTRY));
  const parsed = at.parsed;
  const { sf } = parsed;
  const vars = topLevelVariables(ts, sf);
  let local: string | undefined = at.local;
  let array: TS.ArrayLiteralExpression | undefined;
  // Follow `export const chain = links` → `const links = [...]` (a few hops at most).
  for (let hop = 0; hop < 8 && local; hop++) {
    const init: TS.Expression | undefined = vars.get(local)?.init;
    const expr: TS.Expression | undefined = init && unwrap(ts, init);
    if (!expr) break;
    if (ts.isArrayLiteralExpression(expr)) {
      array = expr;
      break;
    }
    local = ts.isIdentifier(expr) ? expr.text : undefined;
  }
  if (!array) throw new UserError(notFound(parsed.rel));

  const imports = sf.statements.filter(ts.isImportDeclaration);
  const bindings = new Set<string>(vars.keys());
  const byLocal = new Map<string, LinkImport>();
  for (const decl of imports) {
    const clause = decl.importClause;
    const module = stringValue(ts, decl.moduleSpecifier) ?? "";
    if (clause?.name) {
      bindings.add(clause.name.text);
      byLocal.set(clause.name.text, { decl, module, imported: "default" });
    }
    const nb = clause?.namedBindings;
    if (nb && ts.isNamespaceImport(nb)) bindings.add(nb.name.text);
    if (nb && ts.isNamedImports(nb)) {
      for (const spec of nb.elements) {
        bindings.add(spec.name.text);
        byLocal.set(spec.name.text, { decl, spec, module, imported: (spec.propertyName ?? spec.name).text });
      }
    }
  }
  for (const st of sf.statements) {
    if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) bindings.add(st.name.text);
  }

  const entries: ChainEntry[] = array.elements.map((node) => {
    if (!ts.isIdentifier(node)) return { node };
    const imp = byLocal.get(node.text);
    return imp ? { node, ident: node.text, import: imp } : { node, ident: node.text };
  });

  const names = (declaring(ts, index, "LinkName", "type", open) ?? (parsed !== index ? declaring(ts, parsed, "LinkName", "type", open) : undefined))?.parsed ?? parsed;
  return { parsed, array, entries, bindings, imports, names, ...readLinkName(ts, names) };
}

/** LinkName as declared in `names`: its literal members when it lists them. */
export function readLinkName(ts: Ts, names: Parsed): Pick<Registry, "union" | "hasLinkName"> {
  const { sf } = names;
  let union: Registry["union"];
  let hasLinkName = false;
  const aliases = new Map(sf.statements.filter(ts.isTypeAliasDeclaration).map((st) => [st.name.text, st.type] as const));
  const literals = (members: readonly TS.TypeNode[]) =>
    members.every((m) => ts.isLiteralTypeNode(m) && ts.isStringLiteral(m.literal)) ? (members as TS.LiteralTypeNode[]) : undefined;
  const named = (members: TS.LiteralTypeNode[]) => members.map((m) => (m.literal as TS.StringLiteral).text);
  const type = aliases.get("LinkName");
  if (type) {
    hasLinkName = true;
    const members = literals(ts.isUnionTypeNode(type) ? type.types : [type]);
    if (members) union = { members, names: named(members) };
    else if (ts.isIndexedAccessTypeNode(type) && type.indexType.kind === ts.SyntaxKind.NumberKeyword) {
      let tuple: TS.TypeNode | undefined = type.objectType;
      if (ts.isTypeReferenceNode(tuple) && ts.isIdentifier(tuple.typeName)) tuple = aliases.get(tuple.typeName.text);
      if (tuple && ts.isTypeOperatorNode(tuple)) tuple = tuple.type; // readonly [...]
      const items = tuple && ts.isTupleTypeNode(tuple) ? literals(tuple.elements) : undefined;
      if (items) union = { members: items, names: named(items), tuple: tuple as TS.TupleTypeNode };
    }
  }
  return { union, hasLinkName };
}

/** The link file's base name behind an entry (`./pin_vetting.js` → `pin_vetting`), by convention its link name. */
export function moduleBase(module: string): string {
  return module.replace(/^.*\//, "").replace(/\.(?:[cm]?[jt]s|tsx)$/, "");
}

// ---------------------------------------------------------------------------------------------
// Lists (array elements, named imports): insert and remove one element in the list's own style.

/** Insert `item` at `index` of a comma-separated list between `open` and `close` (bracket offsets). */
function listInsert(text: string, sf: TS.SourceFile, elements: readonly TS.Node[], index: number, item: string, open: number, close: number): TextEdit[] {
  const eol = eolOf(text);
  if (elements.length === 0) {
    if (text.slice(open, close).includes("\n")) return [insert(lineStart(text, close), `${indentAt(text, close)}  ${item},${eol}`)];
    return [insert(open + 1, item)];
  }
  if (index === 0) {
    const q = elements[0]!.getStart(sf);
    if (startsLine(text, q)) {
      // Above the first element's own comment lines too: they describe it, not the newcomer.
      const afterOpen = nextLineStart(text, open);
      const at = restOfLineIsTrivia(text, open + 1) && afterOpen <= lineStart(text, q) ? afterOpen : lineStart(text, q);
      return [insert(at, `${indentAt(text, q)}${item},${eol}`)];
    }
    return [insert(q, `${item}, `)];
  }
  const prev = elements[index - 1]!;
  const prevStart = prev.getStart(sf);
  const ownLine = startsLine(text, prevStart);
  const indent = indentAt(text, prevStart);
  const comma = skipTrivia(text, prev.end);
  if (text[comma] === ",") {
    // A separator or a trailing comma: the new element copies it, on its own line when prev has one.
    if (ownLine && restOfLineIsTrivia(text, comma + 1) && nextLineStart(text, comma) <= close) {
      return [insert(nextLineStart(text, comma), `${indent}${item},${eol}`)];
    }
    return [insert(comma + 1, ` ${item},`)];
  }
  // The last element, without a trailing comma.
  if (ownLine && restOfLineIsTrivia(text, prev.end) && nextLineStart(text, prev.end) <= close) {
    return [insert(prev.end, ","), insert(nextLineStart(text, prev.end), `${indent}${item}${eol}`)];
  }
  return [insert(prev.end, `, ${item}`)];
}

/** Remove the element at `index` with its comma (and its line when it has one to itself). */
function listRemove(text: string, sf: TS.SourceFile, elements: readonly TS.Node[], index: number): TextEdit[] {
  const el = elements[index]!;
  const start = el.getStart(sf);
  const comma = skipTrivia(text, el.end);
  const hasComma = text[comma] === ",";
  const tail = hasComma ? comma + 1 : el.end;
  if (startsLine(text, start) && restOfLineIsTrivia(text, tail)) {
    const edits = [remove(lineStart(text, start), nextLineStart(text, tail))];
    if (!hasComma && index > 0) {
      // It was last with no trailing comma: the previous element's comma goes too, keeping the style.
      const prevComma = skipTrivia(text, elements[index - 1]!.end);
      if (text[prevComma] === ",") edits.push(remove(prevComma, prevComma + 1));
    }
    return edits;
  }
  if (hasComma) {
    let end = comma + 1;
    while (text[end] === " " || text[end] === "\t") end++;
    return [remove(start, end)];
  }
  if (index > 0) return [remove(elements[index - 1]!.end, el.end)];
  return [remove(start, el.end)];
}

function quoteOf(text: string, literal: TS.Node, sf: TS.SourceFile): string {
  const q = text[literal.getStart(sf)];
  return q === "'" ? "'" : '"';
}

// ---------------------------------------------------------------------------------------------

export interface InsertPlan {
  ident: string;
  /** The new link's file base name (its link name). */
  name: string;
  /** Position in the chain array. */
  index: number;
}

/** Text edits of the chain's file that add a link: its import and its chain entry (LinkName: unionInsertEdits). */
export function insertEdits(reg: Registry, plan: InsertPlan): TextEdit[] {
  const { text, sf } = reg.parsed;
  const eol = eolOf(text);
  const edits: TextEdit[] = [];
  const open = reg.array.getStart(sf);
  edits.push(...listInsert(text, sf, reg.array.elements, plan.index, plan.ident, open, reg.array.end - 1));

  // The import: next to the neighbour's import, in the style of the other link imports.
  const linkImports = reg.entries.map((e) => e.import).filter((i): i is LinkImport => Boolean(i) && i!.module.startsWith("."));
  const model = linkImports[0]?.decl ?? reg.imports[reg.imports.length - 1];
  const q = model ? quoteOf(text, model.moduleSpecifier, sf) : '"';
  const semi = model ? (text.slice(model.getStart(sf), model.end).trimEnd().endsWith(";") ? ";" : "") : ";";
  const ext = linkImports[0] ? (/\.(?:[cm]?[jt]s)$/.exec(linkImports[0].module)?.[0] ?? "") : ".ts";
  // The new link file is src/links/<name>.ts, wherever the chain's file lives.
  const dir = path.posix.relative(path.posix.dirname(reg.parsed.rel), "src/links");
  const line = `import { ${plan.ident} } from ${q}${dir ? (dir.startsWith(".") ? dir : `./${dir}`) : "."}/${plan.name}${ext}${q}${semi}`;
  const prevImport = reg.entries[plan.index - 1]?.import?.decl;
  const nextImport = reg.entries[plan.index]?.import?.decl;
  const afterDecl = prevImport ?? (nextImport ? undefined : reg.imports[reg.imports.length - 1]);
  if (afterDecl) {
    if (restOfLineIsTrivia(text, afterDecl.end)) {
      const at = nextLineStart(text, afterDecl.end);
      edits.push(insert(at, at === text.length && !text.endsWith("\n") ? `${eol}${line}` : `${line}${eol}`));
    } else edits.push(insert(afterDecl.end, ` ${line}`));
  } else if (nextImport) {
    const s = nextImport.getStart(sf);
    edits.push(startsLine(text, s) ? insert(lineStart(text, s), `${line}${eol}`) : insert(s, `${line} `));
  } else {
    // No imports at all: after the leading comments of the file.
    const first = sf.statements[0];
    const s = first ? first.getStart(sf) : text.length;
    edits.push(insert(lineStart(text, s), `${line}${eol}`));
  }

  return edits;
}

/** Edits of LinkName's file (`reg.names`) adding `name` to its literal members, next to a neighbour when it is listed. */
export function unionInsertEdits(reg: Pick<Registry, "union" | "names">, name: string, after?: string, before?: string): TextEdit[] {
  if (!reg.union) return [];
  const { text, sf } = reg.names;
  const { members, names } = reg.union;
  const lq = members[0] ? quoteOf(text, members[0].literal, sf) : '"';
  const lit = `${lq}${name}${lq}`;
  let u = names.length;
  if (after !== undefined && names.includes(after)) u = names.indexOf(after) + 1;
  else if (before !== undefined && names.includes(before)) u = names.indexOf(before);
  const tuple = reg.union.tuple;
  if (tuple) return listInsert(text, sf, tuple.elements, u, lit, tuple.getStart(sf), tuple.end - 1);
  return unionInsert(text, sf, members, u, lit);
}

/** Edits of LinkName's file taking `name` out of its literal members (never the last one). */
export function unionRemoveEdits(reg: Pick<Registry, "union" | "names">, name: string): TextEdit[] {
  const k = reg.union?.names.indexOf(name) ?? -1;
  if (!reg.union || k < 0 || reg.union.members.length <= 1) return [];
  if (reg.union.tuple) return listRemove(reg.names.text, reg.names.sf, reg.union.tuple.elements, k);
  return unionRemove(reg.names.text, reg.names.sf, reg.union.members, k);
}

const PIPE_PREFIX = /^[ \t]*\|[ \t]*$/;

function unionInsert(text: string, sf: TS.SourceFile, members: readonly TS.TypeNode[], u: number, lit: string): TextEdit[] {
  const eol = eolOf(text);
  if (u > 0) {
    const p = members[u - 1]!;
    const ps = p.getStart(sf);
    const prefix = text.slice(lineStart(text, ps), ps);
    if (PIPE_PREFIX.test(prefix)) {
      // One member per line with leading pipes: a new line in the same form.
      if (restOfLineIsTrivia(text, p.end)) return [insert(nextLineStart(text, p.end), `${prefix}${lit}${eol}`)];
      return [insert(p.end, `${eol}${prefix}${lit}`)];
    }
    return [insert(p.end, ` | ${lit}`)];
  }
  const q = members[0]!;
  const qs = q.getStart(sf);
  const prefix = text.slice(lineStart(text, qs), qs);
  if (PIPE_PREFIX.test(prefix)) return [insert(qs, `${lit}${eol}${prefix}`)];
  return [insert(qs, `${lit} | `)];
}

function unionRemove(text: string, sf: TS.SourceFile, members: readonly TS.TypeNode[], k: number): TextEdit[] {
  const m = members[k]!;
  const s = m.getStart(sf);
  const prefix = text.slice(lineStart(text, s), s);
  if (PIPE_PREFIX.test(prefix)) {
    if (restOfLineIsTrivia(text, m.end)) return [remove(lineStart(text, s), nextLineStart(text, m.end))];
    if (k > 0) return [remove(members[k - 1]!.end, m.end)];
  }
  if (k > 0) return [remove(members[k - 1]!.end, m.end)];
  return [remove(s, members[1]!.getStart(sf))];
}

/** Is `ident` used in the registry anywhere but its import and its chain entry? */
export function otherUses(reg: Registry, ident: string, entry: ChainEntry): TS.Identifier[] {
  const { ts, sf } = reg.parsed;
  const uses: TS.Identifier[] = [];
  walk(ts, sf, (node) => {
    if (!ts.isIdentifier(node) || node.text !== ident || node === entry.node) return;
    const parent = node.parent;
    if (ts.isImportSpecifier(parent) || ts.isImportClause(parent)) return;
    if (ts.isPropertyAccessExpression(parent) && parent.name === node) return;
    if ((ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent)) && parent.name === node) return;
    uses.push(node);
  });
  return uses;
}

/**
 * Taking a link's own `const x = defineLink({ … })` (or `export default defineLink({ … })`) statement
 * out of a file that keeps other code (the registry, or a file defining several links): the
 * statement, the comments just above it, and a blank line so none doubles. Undefined when the
 * definition is no statement of its own (written inline in the chain array); a string says why it
 * cannot come out cleanly.
 */
export function definitionRemoval(parsed: Parsed, nameLiteral: TS.Node, allowed: readonly TS.Node[]): { edits: TextEdit[]; pos: number; end: number } | string | undefined {
  const { ts, sf, text, rel } = parsed;
  // name: "…" → { … } → defineLink({ … }) (maybe `as …`, `satisfies …`) → its statement. Anything
  // else on the way (the chain array above all) means the definition has no statement of its own.
  let node: TS.Node = nameLiteral.parent.parent; // the object literal
  while (ts.isCallExpression(node.parent) || ts.isAsExpression(node.parent) || ts.isSatisfiesExpression(node.parent) || ts.isParenthesizedExpression(node.parent) || ts.isTypeAssertionExpression(node.parent) || ts.isNonNullExpression(node.parent)) node = node.parent;
  let statement: TS.Statement;
  let local: TS.Identifier | undefined;
  if (ts.isExportAssignment(node.parent) && !node.parent.isExportEquals) statement = node.parent; // export default defineLink({ … })
  else if (ts.isVariableDeclaration(node.parent) && ts.isVariableDeclarationList(node.parent.parent) && ts.isVariableStatement(node.parent.parent.parent) && ts.isSourceFile(node.parent.parent.parent.parent)) {
    statement = node.parent.parent.parent;
    const decls = node.parent.parent.declarations;
    if (decls.length !== 1 || !ts.isIdentifier(decls[0]!.name)) return `${rel}:${lineOf(text, statement.getStart(sf))} declares it together with other variables`;
    local = decls[0]!.name;
  } else return undefined;
  let use: TS.Identifier | undefined;
  if (local) walk(ts, sf, (node) => {
    if (use || !ts.isIdentifier(node) || node.text !== local.text || node === local || allowed.includes(node)) return;
    const parent = node.parent;
    if (ts.isPropertyAccessExpression(parent) && parent.name === node) return;
    if ((ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent)) && parent.name === node) return;
    use = node;
  });
  if (use) return `${rel}:${lineOf(text, use.getStart(sf))} uses ${local!.text}`;

  let pos = statement.getStart(sf);
  for (const c of [...(ts.getLeadingCommentRanges(text, statement.getFullStart()) ?? [])].reverse()) {
    if (/\n[ \t]*\r?\n/.test(text.slice(c.end, pos)) || !startsLine(text, c.pos)) break; // a blank line: not its comment
    pos = c.pos;
  }
  const end = statement.end;
  if (!startsLine(text, pos) || !restOfLineIsTrivia(text, end)) return { edits: [remove(pos, end)], pos, end };
  let from = lineStart(text, pos);
  let to = nextLineStart(text, end);
  const blank = (at: number) => /^[ \t]*$/.test(text.slice(at, lineEnd(text, at)));
  if (from > 0 && blank(lineStart(text, from - 1))) {
    if (to >= text.length) from = lineStart(text, from - 1);
    else if (blank(to)) to = nextLineStart(text, to);
  }
  return { edits: [remove(from, to)], pos, end };
}

/** Text edits of the chain's file that take the entry at `index` out: the entry and its import (or specifier). */
export function removeEdits(reg: Registry, index: number): TextEdit[] {
  const { text, sf, ts } = reg.parsed;
  const entry = reg.entries[index]!;
  const edits = listRemove(text, sf, reg.array.elements, index);
  const imp = entry.import;
  if (imp) {
    const clause = imp.decl.importClause;
    const nb = clause?.namedBindings;
    const specs = nb && ts.isNamedImports(nb) ? nb.elements : undefined;
    if (imp.spec && specs && (specs.length > 1 || clause?.name)) {
      edits.push(...listRemove(text, sf, specs, specs.indexOf(imp.spec)));
    } else if (!imp.spec && clause?.name && nb) {
      // `import link, { … } from`: the default name and its comma go, the rest stays.
      edits.push(remove(clause.name.getStart(sf), nb.getStart(sf)));
    } else {
      const s = imp.decl.getStart(sf);
      edits.push(startsLine(text, s) && restOfLineIsTrivia(text, imp.decl.end) ? remove(lineStart(text, s), nextLineStart(text, imp.decl.end)) : remove(s, imp.decl.end));
    }
  }
  return edits;
}

/** Replace the contents of a string literal, keeping its quotes. */
export function replaceLiteral(literal: TS.Node, sf: TS.SourceFile, value: string): TextEdit {
  return replace(literal.getStart(sf) + 1, literal.end - 1, value);
}

/**
 * Rename every use of identifier `from` in a file to `to` (bindings, references, import and export
 * specifiers); property names (`x.from`, `{ from: 1 }`) are other things and stay.
 */
export function renameIdentifier(parsed: Parsed, from: string, to: string): TextEdit[] {
  const { ts, sf } = parsed;
  const edits: TextEdit[] = [];
  walk(ts, sf, (node) => {
    if (!ts.isIdentifier(node) || node.text !== from) return;
    const parent = node.parent;
    if (ts.isPropertyAccessExpression(parent) && parent.name === node) return;
    if ((ts.isPropertyAssignment(parent) || ts.isPropertySignature(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent)) && parent.name === node) return;
    if (ts.isShorthandPropertyAssignment(parent)) {
      edits.push(replace(node.getStart(sf), node.end, `${from}: ${to}`));
      return;
    }
    edits.push(replace(node.getStart(sf), node.end, to));
  });
  return edits;
}

/** Edits of LinkName's file renaming member `from`. */
export function unionEditsForRename(reg: Registry, from: string, to: string): TextEdit[] {
  if (!reg.union) return [];
  const k = reg.union.names.indexOf(from);
  return k < 0 ? [] : [replaceLiteral(reg.union.members[k]!.literal, reg.names.sf, to)];
}

// Edits of the chain registry (read by registry.ts): a link's entry and import in, or out, and
// LinkName's members, each a minimal text edit in the user's style.
import path from "node:path";
import type { ts as TS } from "ts-morph";
import { walk } from "./parse.js";
import { listInsert, listRemove, quoteOf, unionInsert, unionRemove } from "./list-edits.js";
import type { ChainEntry, LinkImport, Registry } from "./registry.js";
import { replaceLiteral } from "./source-edits.js";
import { eolOf, insert, lineStart, nextLineStart, remove, restOfLineIsTrivia, startsLine, type TextEdit } from "./text.js";

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

/** Edits of LinkName's file renaming member `from`. */
export function unionEditsForRename(reg: Registry, from: string, to: string): TextEdit[] {
  if (!reg.union) return [];
  const k = reg.union.names.indexOf(from);
  return k < 0 ? [] : [replaceLiteral(reg.union.members[k]!.literal, reg.names.sf, to)];
}

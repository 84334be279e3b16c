// The chain registry (src/links/index.ts), read from its syntax tree: the `chain` array (followed
// through aliases like `const links = [...]; export const chain = links;`), the import behind each
// entry, and the `LinkName` union. Edits are computed as minimal text edits in the user's style.
import type { ts as TS } from "ts-morph";
import { UserError } from "../errors.js";
import { parseSource, stringValue, unwrap, type Parsed, type Ts } from "./parse.js";

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

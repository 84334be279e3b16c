// Reading links back from the code, statically: registry entry → its import → the link file →
// `defineLink({ name: "…" })`. Only the files the registry imports are opened.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { ts as TS } from "ts-morph";
import { UserError } from "../errors.js";
import { parseSource, stringValue, unwrap, walk, type Parsed, type Ts } from "./parse.js";
import { exportedLocal, type ChainEntry, type Registry } from "./registry.js";
import { lineOf } from "./text.js";

/** A resolved chain entry: its link name and where that name is written. */
export interface ResolvedLink {
  name: string;
  /** The project-relative link file holding the definition. */
  file: string;
  /** The exported identifier in that file. */
  exportName: string;
  parsed: Parsed;
  /** The `name` string literal inside defineLink({ … }). */
  nameLiteral: TS.Node;
}

/** `./pin_vetting.js` from src/links/index.ts → `src/links/pin_vetting.ts`, if that file exists. */
export function resolveModule(root: string, fromRel: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const base = path.posix.join(path.posix.dirname(fromRel), specifier);
  const stem = base.replace(/\.(?:[cm]?js|jsx)$/, "");
  const candidates = /\.(?:[cm]?ts|tsx)$/.test(base) ? [base] : [`${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${base}/index.ts`];
  return candidates.find((c) => existsSync(path.join(root, c)));
}

// One command may reach a file twice (as a link and as a switchTask holder): parse it once, and
// only while its text is unchanged.
const parsedCache = new Map<string, Parsed>();

export function readParsed(ts: Ts, root: string, rel: string): Parsed {
  const key = path.join(root, rel);
  const text = readFileSync(key, "utf8");
  let parsed = parsedCache.get(key);
  if (!parsed || parsed.text !== text) {
    parsed = parseSource(ts, rel, text);
    parsedCache.set(key, parsed);
  }
  return parsed;
}

/** The `name` literal of the link exported as `exportName` from `parsed` (following re-exports). */
function findLinkName(ts: Ts, root: string, parsed: Parsed, exportName: string, local: boolean, depth = 0): ResolvedLink | string {
  const { sf, rel } = parsed;
  const where = `${rel} (${exportName})`;
  if (depth > 5) return `${where}: too many re-exports`;
  const localName = local ? exportName : exportedLocal(ts, sf, exportName);
  if (!localName && exportName === "default") {
    const assignment = sf.statements.find((st): st is TS.ExportAssignment => ts.isExportAssignment(st) && !st.isExportEquals);
    const expr = assignment && unwrap(ts, assignment.expression);
    if (expr && ts.isIdentifier(expr)) {
      const r = findLinkName(ts, root, parsed, expr.text, true, depth + 1);
      return typeof r === "string" ? r : { ...r, exportName };
    }
    const found = expr && nameInDefinition(ts, expr);
    if (found) return { name: stringValue(ts, found)!, file: rel, exportName, parsed, nameLiteral: found };
    if (expr) return `${where}: expected \`export default defineLink({ name: "…", … })\` with a string literal name`;
  }
  if (!localName) {
    for (const st of sf.statements) {
      if (!ts.isExportDeclaration(st) || !st.moduleSpecifier || !st.exportClause || !ts.isNamedExports(st.exportClause)) continue;
      const spec = st.exportClause.elements.find((s) => s.name.text === exportName);
      const target = spec && resolveModule(root, rel, stringValue(ts, st.moduleSpecifier) ?? "");
      if (spec && target) return findLinkName(ts, root, readParsed(ts, root, target), (spec.propertyName ?? spec.name).text, false, depth + 1);
    }
    return `${rel} does not export ${exportName}`;
  }
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (!ts.isIdentifier(d.name) || d.name.text !== localName || !d.initializer) continue;
      const found = nameInDefinition(ts, d.initializer);
      if (found) return { name: stringValue(ts, found)!, file: rel, exportName, parsed, nameLiteral: found };
      return `${where}: expected \`defineLink({ name: "…", … })\` with a string literal name`;
    }
  }
  // An import re-exported under this name: follow it.
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st)) continue;
    const nb = st.importClause?.namedBindings;
    const spec = nb && ts.isNamedImports(nb) ? nb.elements.find((s) => s.name.text === localName) : undefined;
    const target = spec && resolveModule(root, rel, stringValue(ts, st.moduleSpecifier) ?? "");
    if (spec && target) return findLinkName(ts, root, readParsed(ts, root, target), (spec.propertyName ?? spec.name).text, false, depth + 1);
  }
  return `${where}: no \`const ${localName} = defineLink({ … })\` found`;
}

/** `defineLink({ name: "x" })` or a plain `{ name: "x", … }`: the name literal. */
function nameInDefinition(ts: Ts, init: TS.Expression): TS.Node | undefined {
  let expr = unwrap(ts, init);
  if (ts.isCallExpression(expr) && expr.arguments[0]) expr = unwrap(ts, expr.arguments[0]);
  if (!ts.isObjectLiteralExpression(expr)) return undefined;
  for (const prop of expr.properties) {
    if (ts.isPropertyAssignment(prop) && (ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name)) && prop.name.text === "name") {
      const value = unwrap(ts, prop.initializer);
      return stringValue(ts, value) !== undefined ? value : undefined;
    }
  }
  return undefined;
}

/** Resolves one registry entry to its link; a UserError says why when it cannot be read statically. */
export function resolveEntry(ts: Ts, root: string, reg: Registry, entry: ChainEntry): ResolvedLink {
  const { sf, text, rel } = reg.parsed;
  const shown = text.slice(entry.node.getStart(sf), entry.node.end).split("\n")[0]!.slice(0, 60);
  const fail = (why: string): never => {
    throw new UserError(`cannot read the chain entry \`${shown}\` (${rel}:${lineOf(text, entry.node.getStart(sf))}) statically: ${why}`);
  };
  if (entry.import) {
    const file = resolveModule(root, rel, entry.import.module);
    if (!file) return fail(`${entry.import.module} is not a file of this project`);
    const r = findLinkName(ts, root, readParsed(ts, root, file), entry.import.imported, false);
    return typeof r === "string" ? fail(r) : r;
  }
  if (entry.ident) {
    const r = findLinkName(ts, root, reg.parsed, entry.ident, true);
    return typeof r === "string" ? fail(r) : r;
  }
  const literal = nameInDefinition(ts, entry.node);
  if (literal) return { name: stringValue(ts, literal)!, file: rel, exportName: "", parsed: reg.parsed, nameLiteral: literal };
  return fail("entries must be identifiers imported from link files");
}

export function resolveChain(ts: Ts, root: string, reg: Registry): ResolvedLink[] {
  return reg.entries.map((e) => resolveEntry(ts, root, reg, e));
}

/** Every TypeScript file under `dir` (project-relative), skipping node_modules and dot-folders. */
export function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const visit = (rel: string) => {
    let entries;
    try {
      entries = readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) visit(child);
      else if (/\.(?:[cm]?ts|tsx)$/.test(e.name) && !e.name.endsWith(".d.ts")) out.push(child);
    }
  };
  visit(dir);
  return out.sort();
}

export interface SwitchRef {
  file: string;
  line: number;
  target: string;
  literal: TS.Node;
  parsed: Parsed;
}

/**
 * Every `switchTask("…")` with a literal target in src/ and test/ (tests type-check against
 * LinkName too). Files that never mention it are not parsed.
 */
export function findSwitchTasks(ts: Ts, root: string): SwitchRef[] {
  const refs: SwitchRef[] = [];
  for (const rel of [...sourceFiles(root, "src"), ...sourceFiles(root, "test")]) {
    const text = readFileSync(path.join(root, rel), "utf8");
    if (!text.includes("switchTask")) continue;
    const parsed = readParsed(ts, root, rel);
    // Also under another name: `import { switchTask as goTo } from …`.
    const aliases = new Set<string>();
    for (const st of parsed.sf.statements) {
      const nb = ts.isImportDeclaration(st) ? st.importClause?.namedBindings : undefined;
      if (nb && ts.isNamedImports(nb)) for (const spec of nb.elements) if (spec.propertyName?.text === "switchTask") aliases.add(spec.name.text);
    }
    walk(ts, parsed.sf, (node) => {
      if (!ts.isCallExpression(node)) return;
      const callee = node.expression;
      const name = ts.isIdentifier(callee) ? (aliases.has(callee.text) ? "switchTask" : callee.text) : ts.isPropertyAccessExpression(callee) ? callee.name.text : "";
      const arg = node.arguments[0];
      const target = stringValue(ts, arg);
      if (name === "switchTask" && arg && target !== undefined) {
        refs.push({ file: rel, line: lineOf(parsed.text, arg.getStart(parsed.sf)), target, literal: arg, parsed });
      }
    });
  }
  return refs;
}

/** Files in src/ and test/ (other than `except`) that import the module at `file`. */
export function importersOf(ts: Ts, root: string, file: string, except: readonly string[]): Array<{ parsed: Parsed; decl: TS.ImportDeclaration | TS.ExportDeclaration; line: number }> {
  const out: Array<{ parsed: Parsed; decl: TS.ImportDeclaration | TS.ExportDeclaration; line: number }> = [];
  const base = path.posix.basename(file).replace(/\.[^.]+$/, "");
  for (const rel of [...sourceFiles(root, "src"), ...sourceFiles(root, "test")]) {
    if (except.includes(rel) || rel === file) continue;
    const text = readFileSync(path.join(root, rel), "utf8");
    if (!text.includes(base)) continue;
    const parsed = readParsed(ts, root, rel);
    for (const st of parsed.sf.statements) {
      if (!(ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) || !st.moduleSpecifier) continue;
      const spec = stringValue(ts, st.moduleSpecifier);
      if (spec && resolveModule(root, rel, spec) === file) out.push({ parsed, decl: st, line: lineOf(parsed.text, st.getStart(parsed.sf)) });
    }
  }
  return out;
}

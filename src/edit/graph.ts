// The chain's graph read from the code, statically: each handler of each link (initial, qualified,
// …) and the routing actions it returns — nextTask(), switchTask("…"), transferCall(…), endCall() —
// found in the handler or in the project's functions and constants it uses, followed across files.
// What the code only decides at run time (a computed switch target) is kept as unknown, not guessed.
import type { ts as TS } from "ts-morph";
import { UserError } from "../errors.js";
import { graphOf, HANDLERS, type ChainGraph, type Handler, type Route, type RoutingAction } from "../generate/chain-graph.js";
import { readParsed, resolveChain, resolveModule, type ResolvedLink } from "./links.js";
import { loadTs, stringValue, unwrap, type Parsed, type Ts } from "./parse.js";
import { readText } from "./project.js";
import { exportedLocal, readRegistry, REGISTRY } from "./registry.js";

/** The runtime's action helpers that route a call, by their exported names. */
const HELPERS: Record<string, RoutingAction> = { nextTask: "next_task", switchTask: "switch_task", transferCall: "transfer_call", endCall: "end_call" };

export function chainGraph(ts: Ts, root: string, links: readonly ResolvedLink[]): ChainGraph {
  return graphOf(
    links.map((l) => l.name),
    links.flatMap((l) => linkRoutes(ts, root, l)),
  );
}

/** The graph of the project at `root` as its code stands (for `chain --graph` and add-link). */
export async function readChainGraph(root: string): Promise<ChainGraph> {
  const text = readText(root, REGISTRY);
  if (text === undefined) throw new UserError(`${REGISTRY} not found in ${root}: the chain registry is missing (is this a taskchain project?)`);
  const ts = await loadTs();
  const reg = readRegistry(ts, text, (from, specifier) => {
    const rel = resolveModule(root, from, specifier);
    return rel ? readParsed(ts, root, rel) : undefined;
  });
  return chainGraph(ts, root, resolveChain(ts, root, reg));
}

/** The routes of one link: the handlers of the `defineLink({ … })` object its name is written in. */
function linkRoutes(ts: Ts, root: string, link: ResolvedLink): Route[] {
  let definition: TS.Node | undefined = link.nameLiteral.parent;
  while (definition && !ts.isObjectLiteralExpression(definition)) definition = definition.parent;
  if (!definition) return [];
  const routes: Route[] = [];
  for (const prop of definition.properties) {
    const handler = prop.name && (ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name)) ? (prop.name.text as Handler) : undefined;
    if (!handler || !HANDLERS.includes(handler)) continue;
    const body = ts.isPropertyAssignment(prop) ? prop.initializer : ts.isShorthandPropertyAssignment(prop) ? prop.name : prop;
    for (const found of new Follower(ts, root).actions(link.parsed, body)) routes.push({ from: link.name, handler, ...found });
  }
  return routes;
}

type Found = Pick<Route, "action" | "target">;

/** Walks one handler and everything of the project it reaches, each declaration once. */
class Follower {
  readonly #seen = new Set<TS.Node>();
  readonly #found: Found[] = [];
  constructor(
    readonly ts: Ts,
    readonly root: string,
  ) {}

  actions(parsed: Parsed, node: TS.Node): Found[] {
    this.#visit(parsed, node, helperNames(this.ts, parsed));
    return this.#found;
  }

  #visit(parsed: Parsed, node: TS.Node, helpers: Map<string, RoutingAction>): void {
    const { ts } = this;
    if (ts.isTypeNode(node) || ts.isImportDeclaration(node)) return;
    if (ts.isCallExpression(node)) {
      const callee = unwrap(ts, node.expression);
      const action = ts.isIdentifier(callee) ? helpers.get(callee.text) : ts.isPropertyAccessExpression(callee) ? HELPERS[callee.name.text] : undefined;
      if (action) {
        this.#found.push(action === "switch_task" ? { action, ...targetOf(ts, parsed, node.arguments[0]) } : { action });
        node.arguments.forEach((arg) => this.#visit(parsed, arg, helpers));
        return;
      }
    }
    if (ts.isIdentifier(node) && isReference(ts, node) && !helpers.has(node.text)) {
      const found = declaration(ts, this.root, parsed, node.text);
      if (found && !this.#seen.has(found.node)) {
        this.#seen.add(found.node);
        this.#visit(found.parsed, found.node, found.parsed === parsed ? helpers : helperNames(ts, found.parsed));
      }
      return;
    }
    ts.forEachChild(node, (child) => this.#visit(parsed, child, helpers));
  }
}

/** The action helpers as this file calls them: by their names, or renamed on import. */
function helperNames(ts: Ts, parsed: Parsed): Map<string, RoutingAction> {
  const names = new Map(Object.entries(HELPERS));
  for (const st of parsed.sf.statements) {
    const nb = ts.isImportDeclaration(st) ? st.importClause?.namedBindings : undefined;
    if (!nb || !ts.isNamedImports(nb)) continue;
    for (const spec of nb.elements) {
      const action = spec.propertyName && HELPERS[spec.propertyName.text];
      if (action) names.set(spec.name.text, action);
    }
  }
  return names;
}

/** A switch target written as a string, or as a top-level constant holding one; else unknown. */
function targetOf(ts: Ts, parsed: Parsed, arg: TS.Expression | undefined): Pick<Route, "target"> {
  const expr = arg && unwrap(ts, arg);
  const target = stringValue(ts, expr) ?? (expr && ts.isIdentifier(expr) ? constString(ts, parsed.sf, expr.text) : undefined);
  return target === undefined ? {} : { target };
}

function constString(ts: Ts, sf: TS.SourceFile, name: string): string | undefined {
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st) || !(st.declarationList.flags & ts.NodeFlags.Const)) continue;
    const d = st.declarationList.declarations.find((v) => ts.isIdentifier(v.name) && v.name.text === name);
    if (d?.initializer) return stringValue(ts, unwrap(ts, d.initializer));
  }
  return undefined;
}

/** An identifier that reads a value: not a property name, a declared name or part of an import. */
function isReference(ts: Ts, node: TS.Identifier): boolean {
  const parent = node.parent;
  if (ts.isShorthandPropertyAssignment(parent)) return true;
  return (parent as { name?: TS.Node }).name !== node && !ts.isImportSpecifier(parent) && !ts.isExportSpecifier(parent);
}

/** A top-level function's declaration or a top-level variable's initializer named `name`. */
function topLevel(ts: Ts, sf: TS.SourceFile, name: string): TS.Node | undefined {
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st) && st.name?.text === name && st.body) return st;
    if (ts.isVariableStatement(st)) {
      const d = st.declarationList.declarations.find((v) => ts.isIdentifier(v.name) && v.name.text === name);
      if (d) return d.initializer;
    }
  }
  return undefined;
}

interface Declared {
  parsed: Parsed;
  node: TS.Node;
}

/** What `name` refers to at the top of `parsed`: declared there, or imported from a project file. */
function declaration(ts: Ts, root: string, parsed: Parsed, name: string, depth = 0): Declared | undefined {
  const node = topLevel(ts, parsed.sf, name);
  if (node) return { parsed, node };
  for (const st of parsed.sf.statements) {
    if (!ts.isImportDeclaration(st) || !st.importClause) continue;
    const nb = st.importClause.namedBindings;
    const spec = nb && ts.isNamedImports(nb) ? nb.elements.find((e) => e.name.text === name) : undefined;
    const imported = st.importClause.name?.text === name ? "default" : spec && (spec.propertyName ?? spec.name).text;
    if (imported) return exported(ts, root, parsed, st.moduleSpecifier, imported, depth);
  }
  return undefined;
}

/** The declaration a project module exports as `name`, following re-exports a few modules deep. */
function exported(ts: Ts, root: string, from: Parsed, specifier: TS.Expression, name: string, depth: number): Declared | undefined {
  const rel = depth < 8 ? resolveModule(root, from.rel, stringValue(ts, specifier) ?? "") : undefined;
  if (!rel) return undefined;
  const parsed = readParsed(ts, root, rel);
  const { sf } = parsed;
  if (name === "default") {
    const assignment = sf.statements.find((st): st is TS.ExportAssignment => ts.isExportAssignment(st) && !st.isExportEquals);
    const fn = sf.statements.find((st) => ts.isFunctionDeclaration(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword));
    if (assignment || fn) return { parsed, node: assignment?.expression ?? fn! };
  }
  const local = exportedLocal(ts, sf, name) ?? name;
  const own = declaration(ts, root, parsed, local, depth + 1);
  if (own) return own;
  for (const st of sf.statements) {
    if (!ts.isExportDeclaration(st) || !st.moduleSpecifier) continue;
    const clause = st.exportClause;
    const spec = clause && ts.isNamedExports(clause) ? clause.elements.find((e) => e.name.text === name) : undefined;
    const found = spec ? exported(ts, root, parsed, st.moduleSpecifier, (spec.propertyName ?? spec.name).text, depth + 1) : !clause ? exported(ts, root, parsed, st.moduleSpecifier, name, depth + 1) : undefined;
    if (found) return found;
  }
  return undefined;
}

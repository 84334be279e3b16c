// Parse-only access to TypeScript (ts-morph's bundled compiler): never a Program, never a type
// check, so the cost is the files we open and nothing else. Loaded lazily: it takes ~350 ms.
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ts as TS } from "ts-morph";
import { UserError } from "../errors.js";
import { TS_MORPH } from "../version.js";
import { lineOf } from "./text.js";

export type Ts = typeof TS;
let loaded: Ts | undefined;

/**
 * The TypeScript compiler ts-morph bundles. We only parse, so we load that module alone — found
 * through ts-morph's own resolution — which skips ts-morph's wrapper layer (~25% of its load time).
 * Any surprise in that layout falls back to ts-morph's public `ts` export. ts-morph is an optional
 * peer: `npx create-taskchain` stays small for create, and projects list it in devDependencies.
 */
export async function loadTs(require: NodeJS.Require = createRequire(import.meta.url)): Promise<Ts> {
  if (loaded) return loaded;
  let entry: string;
  try {
    entry = require.resolve("ts-morph");
  } catch {
    throw new UserError(`this command needs ts-morph, which is not installed here: run \`npm install --save-dev ts-morph@"${TS_MORPH}"\` in the project (projects create-taskchain writes list it)`);
  }
  try {
    const fromTsMorph = createRequire(entry);
    const bundled = fromTsMorph(path.join(path.dirname(fromTsMorph.resolve("@ts-morph/common")), "typescript.js")) as Ts;
    if (typeof bundled.createSourceFile === "function" && typeof bundled.forEachChild === "function") return (loaded = bundled);
  } catch {
    // fall through to the public entry point
  }
  return (loaded = ((await import(pathToFileURL(entry).href)) as typeof import("ts-morph")).ts);
}

export interface Parsed {
  ts: Ts;
  /** Project-relative path, for messages. */
  rel: string;
  text: string;
  sf: TS.SourceFile;
}

/** Parses one file and refuses it when it has syntax errors (one line: file:line: message). */
export function parseSource(ts: Ts, rel: string, text: string): Parsed {
  const sf = ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, true, rel.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  // The parser records syntax errors on the source file; reading them costs nothing more.
  const first = "parseDiagnostics" in sf && Array.isArray(sf.parseDiagnostics) ? (sf.parseDiagnostics[0] as TS.DiagnosticWithLocation | undefined) : undefined;
  if (first) {
    const message = ts.flattenDiagnosticMessageText(first.messageText, " ");
    throw new UserError(`${rel}:${lineOf(text, first.start)}: syntax error: ${message} (fix it, then run the command again; nothing was changed)`);
  }
  return { ts, rel, text, sf };
}

/** Strips `as const`, `satisfies T`, `<T>x`, `x!` and parentheses around an expression. */
export function unwrap(ts: Ts, node: TS.Expression): TS.Expression {
  for (;;) {
    if (ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isParenthesizedExpression(node) || ts.isTypeAssertionExpression(node) || ts.isNonNullExpression(node)) {
      node = node.expression;
    } else return node;
  }
}

/** The text of a string literal or a template literal without substitutions. */
export function stringValue(ts: Ts, node: TS.Node | undefined): string | undefined {
  if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))) return node.text;
  return undefined;
}

/** Every node of a file, depth first. */
export function walk(ts: Ts, node: TS.Node, visit: (node: TS.Node) => void): void {
  visit(node);
  ts.forEachChild(node, (child) => walk(ts, child, visit));
}

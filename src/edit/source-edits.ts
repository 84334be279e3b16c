// Edits of any TypeScript file the edit commands touch: a string literal's contents, an identifier
// renamed everywhere, a link's definition taken out.
import type { ts as TS } from "ts-morph";
import { walk, type Parsed } from "./parse.js";
import { lineEnd, lineOf, lineStart, nextLineStart, remove, replace, restOfLineIsTrivia, startsLine, type TextEdit } from "./text.js";

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

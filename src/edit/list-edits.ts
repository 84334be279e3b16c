// Lists in TypeScript source (array elements, named imports, tuple types, union members): insert
// and remove one element as minimal text edits in the list's own style (line per element or not,
// trailing comma or not, leading pipes).
import type { ts as TS } from "ts-morph";
import { eolOf, indentAt, insert, lineStart, nextLineStart, remove, restOfLineIsTrivia, skipTrivia, startsLine, type TextEdit } from "./text.js";

/** Insert `item` at `index` of a comma-separated list between `open` and `close` (bracket offsets). */
export function listInsert(text: string, sf: TS.SourceFile, elements: readonly TS.Node[], index: number, item: string, open: number, close: number): TextEdit[] {
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
export function listRemove(text: string, sf: TS.SourceFile, elements: readonly TS.Node[], index: number): TextEdit[] {
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

export function quoteOf(text: string, literal: TS.Node, sf: TS.SourceFile): string {
  const q = text[literal.getStart(sf)];
  return q === "'" ? "'" : '"';
}

const PIPE_PREFIX = /^[ \t]*\|[ \t]*$/;

export function unionInsert(text: string, sf: TS.SourceFile, members: readonly TS.TypeNode[], u: number, lit: string): TextEdit[] {
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

export function unionRemove(text: string, sf: TS.SourceFile, members: readonly TS.TypeNode[], k: number): TextEdit[] {
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

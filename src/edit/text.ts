// Minimal text edits: every change add-link & co. make is an insertion, deletion or replacement at
// a computed offset, so every byte the user wrote outside those ranges survives untouched.

export interface TextEdit {
  /** Offset where the replaced range starts. */
  pos: number;
  /** Offset where it ends (== pos for an insertion). */
  end: number;
  text: string;
}

export const insert = (pos: number, text: string): TextEdit => ({ pos, end: pos, text });
export const remove = (pos: number, end: number): TextEdit => ({ pos, end, text: "" });
export const replace = (pos: number, end: number, text: string): TextEdit => ({ pos, end, text });

/** Applies non-overlapping edits; insertions at the same offset keep their given order. */
export function applyEdits(source: string, edits: readonly TextEdit[]): string {
  const sorted = edits.map((e, i) => ({ e, i })).sort((a, b) => a.e.pos - b.e.pos || a.e.end - b.e.end || a.i - b.i);
  let out = "";
  let cursor = 0;
  for (const { e } of sorted) {
    if (e.pos < cursor) throw new Error(`overlapping text edits at ${e.pos}`);
    out += source.slice(cursor, e.pos) + e.text;
    cursor = e.end;
  }
  return out + source.slice(cursor);
}

/** The file's line ending: CRLF when its first line break is one. */
export function eolOf(text: string): string {
  const i = text.indexOf("\n");
  return i > 0 && text[i - 1] === "\r" ? "\r\n" : "\n";
}

export function lineStart(text: string, pos: number): number {
  return text.lastIndexOf("\n", pos - 1) + 1;
}

/** Offset of the line break ending pos's line (or text.length). */
export function lineEnd(text: string, pos: number): number {
  const i = text.indexOf("\n", pos);
  if (i < 0) return text.length;
  return text[i - 1] === "\r" ? i - 1 : i;
}

/** Offset just past the line break ending pos's line (or text.length). */
export function nextLineStart(text: string, pos: number): number {
  const i = text.indexOf("\n", pos);
  return i < 0 ? text.length : i + 1;
}

/** 1-based line of an offset. */
export function lineOf(text: string, pos: number): number {
  let n = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < pos; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** Only whitespace between the start of pos's line and pos? */
export function startsLine(text: string, pos: number): boolean {
  return /^[ \t]*$/.test(text.slice(lineStart(text, pos), pos));
}

/** The whitespace that starts pos's line. */
export function indentAt(text: string, pos: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart(text, pos)))![0];
}

/** Skips whitespace and comments from pos; returns the offset of the next token. */
export function skipTrivia(text: string, pos: number): number {
  for (;;) {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
    if (text.startsWith("//", pos)) {
      const nl = text.indexOf("\n", pos);
      pos = nl < 0 ? text.length : nl;
    } else if (text.startsWith("/*", pos)) {
      const close = text.indexOf("*/", pos + 2);
      pos = close < 0 ? text.length : close + 2;
    } else return pos;
  }
}

/** Does the rest of pos's line hold only whitespace and comments (no code)? */
export function restOfLineIsTrivia(text: string, pos: number): boolean {
  const end = lineEnd(text, pos);
  for (;;) {
    while (pos < end && (text[pos] === " " || text[pos] === "\t")) pos++;
    if (pos >= end || text.startsWith("//", pos)) return true;
    if (text.startsWith("/*", pos)) {
      const close = text.indexOf("*/", pos + 2);
      if (close < 0 || close + 2 > end) return false; // a block comment running past the line
      pos = close + 2;
    } else return false;
  }
}

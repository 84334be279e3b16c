// JSON files the user hands create (--spec, --from-chain): read, parsed, and a syntax error told as
// one line with its place (`spec.json:3:5: invalid JSON (…)`).
import { readFileSync } from "node:fs";
import path from "node:path";
import { UserError } from "../errors.js";

/** Line and column (1-based) of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split("\n");
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

/**
 * Where JSON.parse gave up. V8 names a position for most errors but not all ("Unexpected token
 * '}', … is not valid JSON"), so a small scanner finds the first offending character itself.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const literal = (word: string) => {
    for (const ch of word) if (text[i++] !== ch) (i--, fail());
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail();
      const ch = text[i]!;
      if (ch === '"') return void i++;
      if (ch < " ") fail();
      if (ch === "\\") {
        i++;
        const esc = text[i];
        if (esc === "u") {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? "")) (i += k, fail());
          i += 5;
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) i++;
        else fail();
      } else i++;
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m || m[0] === "-") fail();
    i += m![0].length;
  };
  /** `open item, item… close` from the opening bracket on. */
  const sequence = (close: string, item: () => void): void => {
    i++;
    ws();
    if (text[i] === close) return void i++;
    for (;;) {
      item();
      ws();
      if (text[i] === ",") i++;
      else if (text[i] === close) return void i++;
      else fail();
    }
  };
  const member = (): void => {
    ws();
    if (text[i] !== '"') fail();
    string();
    ws();
    if (text[i] !== ":") fail();
    i++;
    value();
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === "{") return sequence("}", member);
    if (ch === "[") return sequence("]", value);
    if (ch === '"') return string();
    if (ch === "t") return literal("true");
    if (ch === "f") return literal("false");
    if (ch === "n") return literal("null");
    if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) return number();
    fail();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return -1;
  } catch (at) {
    if (typeof at === "number") return at;
    throw at;
  }
}

/** JSON.parse with a one-line error that says where: `spec.json:3:5: invalid JSON (…)`. */
export function parseJsonText(text: string, label: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (error) {
    const offset = jsonErrorOffset(body);
    // V8 appends a snippet of the input (`, ..."ks": [" is not valid JSON`) or the offset: both go.
    const reason = (error as Error).message.replace(/, (\.\.\.)?"[\s\S]*$/, "").replace(/ in JSON at position \d+[\s\S]*$/, "").split("\n")[0]!;
    if (offset < 0) throw new UserError(`${label}: invalid JSON (${reason})`);
    const { line, column } = lineColumn(body, offset);
    const what = offset >= body.length ? "unexpected end of file" : reason;
    throw new UserError(`${label}:${line}:${column}: invalid JSON (${what})`);
  }
}

export function readJsonFile(file: string, cwd: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path.resolve(cwd, file), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UserError(`${what} ${file} does not exist`);
    if (code === "EISDIR") throw new UserError(`${what} ${file} is a directory, not a JSON file`);
    throw new UserError(`cannot read ${what} ${file}: ${(error as Error).message}`);
  }
  return parseJsonText(text, file);
}

import { UserError } from "./errors.js";

const MAX_LINE = 300;

/**
 * One line, whatever the message quotes: user text can carry newlines or run to thousands of
 * characters, so control characters are escaped and an over-long line loses its middle.
 */
export function oneLine(message: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = message.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => (c === "\n" ? "\\n" : c === "\t" ? "\\t" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
  if (flat.length <= MAX_LINE) return flat;
  const cut = flat.length - MAX_LINE;
  const keep = (MAX_LINE - 20) / 2;
  return `${flat.slice(0, keep)} …(${cut} more characters)… ${flat.slice(flat.length - keep)}`;
}

/** Prints an error as one line (the stack too with --debug) and returns the exit code. */
export function report(error: unknown, debug: boolean): number {
  if (error instanceof UserError) {
    process.stderr.write(`create-taskchain: ${oneLine(error.message)}\n`);
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`create-taskchain: unexpected error: ${oneLine(message.split("\n")[0] ?? "")}${debug ? "" : " (run with --debug for details)"}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return 1;
}

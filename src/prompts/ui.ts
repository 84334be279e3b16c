// clack, as every interactive command uses it: an answer or a cancel, validation from functions
// that throw UserError, the install spinner, and the frame's notes. Loaded only on a terminal.
import { styleText } from "node:util";
import * as p from "@clack/prompts";
import { CancelledError, UserError } from "../errors.js";

export { p };

/** The answer, or CancelledError when the user pressed Ctrl-C / Escape. */
export function answered<T>(value: T): Exclude<T, symbol> {
  if (p.isCancel(value)) throw new CancelledError();
  return value as Exclude<T, symbol>;
}

/** A prompt's validate callback from a function that throws UserError. */
export function check(fn: (value: string) => void): (value: string | undefined) => string | undefined {
  return (value) => {
    try {
      fn(value ?? "");
      return undefined;
    } catch (error) {
      if (error instanceof UserError) return error.message;
      throw error;
    }
  };
}

export function shorten(text: string, max = 60): string {
  const line = text.replace(/\s+/g, " ");
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * Runs the install under a spinner drawn in clack's style. Not clack's own spinner: it puts the
 * terminal in raw mode, so Ctrl-C reached neither the package manager nor a signal handler, and
 * clack answered it with process.exit(0), leaving the install running in the background.
 */
export async function withSpinner<T extends { ok: boolean; interrupted?: boolean }>(start: string, done: string, failed: string, work: () => Promise<T>): Promise<T> {
  const out = process.stdout;
  const frames = [p.unicodeOr("◒", "•"), p.unicodeOr("◐", "o"), p.unicodeOr("◓", "O"), p.unicodeOr("◑", "0")];
  let frame = 0;
  const draw = () => out.write(`\r\x1b[2K${styleText("magenta", frames[frame++ % frames.length]!)}  ${start}`);
  out.write(`${styleText("gray", p.S_BAR)}\n\x1b[?25l`);
  draw();
  const timer = setInterval(draw, 80);
  let result: T | undefined;
  try {
    result = await work();
  } finally {
    clearInterval(timer);
    const ok = result?.ok === true;
    const end = ok ? styleText("green", p.S_STEP_SUBMIT) : styleText("red", result?.interrupted ? p.S_STEP_CANCEL : p.S_STEP_ERROR);
    out.write(`\r\x1b[2K\x1b[?25h${end}  ${ok ? done : result?.interrupted ? "Cancelled" : failed}\n`);
  }
  return result;
}

export function intro(title: string): void {
  p.intro(title);
}

export function note(message: string, title: string): void {
  p.note(message, title);
}

export function outro(message: string): void {
  p.outro(message);
}

export function info(message: string): void {
  p.log.info(message);
}

export function warn(message: string): void {
  p.log.warn(message);
}

import { UserError } from "./errors.js";

/** Prints an error as one line (the stack too with --debug) and returns the exit code. */
export function report(error: unknown, debug: boolean): number {
  if (error instanceof UserError) {
    process.stderr.write(`create-taskchain: ${error.message}\n`);
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`create-taskchain: unexpected error: ${message.split("\n")[0]}${debug ? "" : " (run with --debug for details)"}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return 1;
}

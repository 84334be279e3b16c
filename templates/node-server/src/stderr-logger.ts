// Log lines for a server that runs as a node process: every level on stderr, one JSON object per
// line (logLine()), gathered into one write per turn of the event loop.
import { logLine, type Logger } from "./taskchain/index.ts";

/** Lines held for one write at most: a turn that logs more writes them as it goes. */
const MAX_PENDING = 256;

/**
 * Every webhook call logs a line, and a write to stderr is a system call made at once (Node writes
 * files and pipes synchronously): about 3 µs of a call's CPU each, which held the node runtime
 * under 0.85x bare node:http. Under load many calls finish in one turn, so they share a write.
 * Lines still waiting when the process exits are written then.
 */
export function stderrLogger(): Logger {
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const text = `${pending.join("\n")}\n`;
    pending = [];
    process.stderr.write(text);
  };
  process.on("exit", flush);
  const writer = (level: string) => (message: string, meta?: Record<string, unknown>) => {
    if (pending.length === 0) setImmediate(flush);
    pending.push(logLine(level, message, meta));
    if (pending.length >= MAX_PENDING) flush();
  };
  return { info: writer("info"), warn: writer("warn"), error: writer("error") };
}

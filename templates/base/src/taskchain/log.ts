// Logging: one JSON object per line on stderr, readable locally and parseable by log collectors.

export interface Logger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** One log line: a JSON object with the level, the message and what else is known. */
export const logLine = (level: string, message: string, meta?: Record<string, unknown>): string => JSON.stringify({ level, message, ...meta });

const writer = (level: string) => (message: string, meta?: Record<string, unknown>) => console.error(logLine(level, message, meta));

export const consoleLogger: Logger = { info: writer("info"), warn: writer("warn"), error: writer("error") };
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** A thrown value as one line, whatever was thrown: String() itself throws for some objects. */
export function describeThrown(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}

// Logging: one JSON object per line (info on stdout, warnings and errors on stderr), readable locally
// and parseable by log collectors.

export interface Logger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** One log line: a JSON object with the level, the message and what else is known. */
export const logLine = (level: string, message: string, meta?: Record<string, unknown>): string => JSON.stringify({ level, message, ...meta });

// Each level through its own console method: Workers and Lambda file a line under the method that
// wrote it, so an info line written with console.error would count as an error there.
const METHOD = { info: "log", warn: "warn", error: "error" } as const;
const writer = (level: keyof Logger) => (message: string, meta?: Record<string, unknown>) => console[METHOD[level]](logLine(level, message, meta));

export const consoleLogger: Logger = { info: writer("info"), warn: writer("warn"), error: writer("error") };
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/**
 * A thrown value as one line, whatever was thrown: String() itself throws for some objects, and a
 * revoked Proxy throws at every look, even Object.prototype.toString's.
 */
export function describeThrown(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    try {
      return Object.prototype.toString.call(error);
    } catch {
      return "a thrown value that cannot be read";
    }
  }
}

/** The thrown value's stack, when it has one that can be read. */
export function stackOf(error: unknown): string | undefined {
  try {
    return error instanceof Error ? error.stack : undefined;
  } catch {
    return undefined;
  }
}

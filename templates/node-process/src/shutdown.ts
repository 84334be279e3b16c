// Graceful shutdown for every runtime that runs as a node process (not Workers, not Lambda itself).
import type { Server } from "node:http";
import { consoleLogger, describeThrown } from "./taskchain/index.ts";

/** How long in-flight webhook calls get to finish before the process exits anyway. */
export const SHUTDOWN_GRACE_MS = 10_000;

/**
 * On SIGTERM or SIGINT: run `close` (stop accepting, finish in-flight calls, release the session
 * store), then exit. A deploy never cuts a caller off mid-answer; a hung close cannot keep it up.
 */
export function exitGracefully(close: () => Promise<unknown>): void {
  const shutdown = (signal: string): void => {
    console.log(`${signal}: closing`);
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
    // The calls are answered by the time the store fails to close: still a clean exit, but logged.
    close()
      .catch((error: unknown) => consoleLogger.warn("closing failed", { error: describeThrown(error) }))
      .finally(() => process.exit(0));
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

/** `server.close()` as a promise; idle keep-alive connections are dropped at once, busy ones finish first. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/**
 * Starts `server` on the port and host from the settings. One it cannot have (in use, or below 1024
 * for a user who may not bind it) is one log line and exit 1: node:http would crash with a stack
 * trace, and Express 5's listen() hands the error to its callback and exits 0, as if it had served.
 */
export function listen(server: Server, port: number, host: string, name: string): void {
  server.once("error", (error) => cannotListen(error, port, host));
  server.listen(port, host, () => console.log(`${name} listening on http://${host === "0.0.0.0" ? "localhost" : host}:${port}`));
}

/** The one line and exit 1 for an address the server cannot listen on. */
export function cannotListen(error: unknown, port: number, host: string): never {
  consoleLogger.error(`cannot listen on ${host}:${port}: ${describeThrown(error)}`);
  process.exit(1);
}

/** What start-up builds from settings (the session store, the listen address): a setting that cannot work is one log line and exit 1, not a stack trace. */
export function orExit<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    consoleLogger.error(describeThrown(error));
    process.exit(1);
  }
}

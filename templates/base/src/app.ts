import project from "../package.json" with { type: "json" };
import { chain } from "./links/index.ts";
import { consoleLogger, createTaskchain, DEFAULT_BUDGET_MS, MemorySessionStore, recorderFromEnv, type Env, type Logger, type RecordSink, type SessionStore, type Taskchain } from "./taskchain/index.ts";

export type { Env };

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** Sessions in this process's memory, bounded by MAX_SESSIONS and SESSION_MEMORY_MB (see .env.example). */
export function memoryStoreFromEnv(env: Env): MemorySessionStore {
  return new MemorySessionStore({ maxSessions: positive(env.MAX_SESSIONS, 10_000), maxBytes: positive(env.SESSION_MEMORY_MB, 100) * 1024 * 1024 });
}

/** What the process serving the webhook provides; each has a default that works anywhere. */
export interface Host {
  /** Where sessions live: by default this process's memory. */
  store?: SessionStore;
  /** How TASKCHAIN_RECORD lines are appended to a file, where the runtime has files. */
  recordFile?: (path: string, maxBytes: number) => RecordSink;
  /** Where log lines go: by default the console. */
  logger?: Logger;
}

/** The webhook for this chain, configured from the environment (see .env.example); handlers get `env` too. */
export function createApp(env: Env, host: Host = {}): Taskchain {
  const logger = host.logger ?? consoleLogger;
  return createTaskchain({
    links: chain,
    env,
    token: env.TASKCHAIN_TOKEN,
    sessionTtlMs: positive(env.SESSION_TTL_SECONDS, 30 * 60) * 1000,
    // 0 turns the budget off: the runtime then waits for a handler as long as it takes.
    budgetMs: env.WEBHOOK_BUDGET_MS?.trim() === "0" ? 0 : positive(env.WEBHOOK_BUDGET_MS, DEFAULT_BUDGET_MS),
    transferNumber: env.TRANSFER_NUMBER?.trim(),
    store: host.store ?? memoryStoreFromEnv(env),
    logger,
    // Where Agent4 reaches this server, for the call-ended notification: TASKCHAIN_PUBLIC_URL, else
    // package.json's "taskchain".baseUrl (chain.json's base); TASKCHAIN_PUBLIC_URL=off sends none.
    publicUrl: env.TASKCHAIN_PUBLIC_URL?.trim().toLowerCase() === "off" ? undefined : env.TASKCHAIN_PUBLIC_URL?.trim() || project.taskchain?.baseUrl,
    record: recorderFromEnv(env, logger, host.recordFile),
  });
}

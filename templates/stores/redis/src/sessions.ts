// Where this project keeps its calls' sessions: in Redis at REDIS_URL, so every instance answers
// every call. REDIS_URL unset (local runs, tests): in this process's memory.
// `npx create-taskchain sessions memory` replaces this file and removes the Redis store.
import { memoryStoreFromEnv, type Env } from "./app.ts";
import type { Logger, SessionStore } from "./taskchain/index.ts";
import { redisStoreFromEnv } from "./taskchain/redis-store.ts";

/** Throws one line naming REDIS_URL when it is not a Redis URL. */
export function sessionStoreFromEnv(env: Env, logger: Logger): SessionStore {
  return redisStoreFromEnv(env, logger) ?? memoryStoreFromEnv(env);
}

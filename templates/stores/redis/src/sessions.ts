// Where this project keeps its calls' sessions: in Redis at REDIS_URL, so every instance answers
// every call. REDIS_URL unset (local runs, tests): in this process's memory.
// `npx create-taskchain sessions memory` replaces this file and removes the Redis store.
import { memoryStoreFromEnv, type Env } from "./app.ts";
import type { Logger, SessionStore } from "./taskchain/index.ts";
import { redisStoreFromEnv } from "./taskchain/redis-store.ts";

/** Throws one line naming REDIS_URL when it is not a Redis URL. */
export function sessionStoreFromEnv(env: Env, logger: Logger): SessionStore {
  const shared = redisStoreFromEnv(env, logger);
  // On Lambda, memory is each instance's own: a call whose webhooks reach two instances gets two keys.
  if (!shared && env.AWS_LAMBDA_FUNCTION_NAME) logger.warn("REDIS_URL is not set: sessions are kept in this Lambda instance's memory, so a call whose webhooks reach another instance loses its key and state");
  return shared ?? memoryStoreFromEnv(env);
}

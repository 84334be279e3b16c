// Where this project keeps its calls' sessions: in this process's memory, bounded by MAX_SESSIONS
// and SESSION_MEMORY_MB. Each instance has its own, so run one, or share them in Redis with
// `npx create-taskchain sessions redis` (which replaces this file).
import { memoryStoreFromEnv, type Env } from "./app.ts";
import type { Logger, SessionStore } from "./taskchain/index.ts";

export function sessionStoreFromEnv(env: Env, _logger: Logger): SessionStore {
  return memoryStoreFromEnv(env);
}

// Where this project keeps its calls' sessions: in the DynamoDB table DYNAMODB_TABLE, so every
// Lambda instance answers every call. DYNAMODB_TABLE unset (local runs, tests): in this process's
// memory. `npx create-taskchain sessions redis` (or memory) replaces this file and the store.
import { memoryStoreFromEnv, type Env } from "./app.ts";
import { dynamoStoreFromEnv } from "./taskchain/dynamodb-store.ts";
import type { Logger, SessionStore } from "./taskchain/index.ts";

export function sessionStoreFromEnv(env: Env, logger: Logger): SessionStore {
  return dynamoStoreFromEnv(env, logger) ?? memoryStoreFromEnv(env);
}

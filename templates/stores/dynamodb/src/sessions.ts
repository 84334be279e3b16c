// Where this project keeps its calls' sessions: in the DynamoDB table DYNAMODB_TABLE, so every
// Lambda instance answers every call. DYNAMODB_TABLE unset (local runs, tests): in this process's
// memory. `npx create-taskchain sessions redis` (or memory) replaces this file and the store.
import { memoryStoreFromEnv, type Env } from "./app.ts";
import { dynamoStoreFromEnv } from "./taskchain/dynamodb-store.ts";
import type { Logger, SessionStore } from "./taskchain/index.ts";

export function sessionStoreFromEnv(env: Env, logger: Logger): SessionStore {
  const shared = dynamoStoreFromEnv(env, logger);
  // On Lambda, memory is each instance's own: a call whose webhooks reach two instances gets two keys.
  if (!shared && env.AWS_LAMBDA_FUNCTION_NAME) logger.warn("DYNAMODB_TABLE is not set: sessions are kept in this Lambda instance's memory, so a call whose webhooks reach another instance loses its key and state");
  return shared ?? memoryStoreFromEnv(env);
}

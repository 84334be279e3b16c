// The store src/sessions.ts gives this project keeps the session store contract: its shared store
// when configured (REDIS_URL, DYNAMODB_TABLE; keys under a prefix of their own, expiring within a
// minute), else memory.
import { randomUUID } from "node:crypto";
import { afterAll } from "vitest";
import { sessionStoreFromEnv } from "../src/sessions.ts";
import type { SessionStore } from "../src/taskchain/index.ts";
import { describeSessionStore } from "./session-store-contract.ts";

const made: SessionStore[] = [];
afterAll(() => Promise.all(made.map((store) => store.close?.())));

describeSessionStore("src/sessions.ts's", {
  make(logger) {
    const prefix = `test:${randomUUID()}:`;
    const store = sessionStoreFromEnv({ ...process.env, REDIS_PREFIX: prefix, DYNAMODB_PREFIX: prefix }, logger);
    made.push(store);
    return store;
  },
});

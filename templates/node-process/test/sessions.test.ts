// The store src/sessions.ts gives this project keeps the session store contract: Redis when
// REDIS_URL is set (its keys under a prefix of their own, expiring within a minute), else memory.
import { randomUUID } from "node:crypto";
import { afterAll } from "vitest";
import { sessionStoreFromEnv } from "../src/sessions.ts";
import type { SessionStore } from "../src/taskchain/index.ts";
import { describeSessionStore } from "./session-store-contract.ts";

const made: SessionStore[] = [];
afterAll(() => Promise.all(made.map((store) => store.close?.())));

describeSessionStore(process.env.REDIS_URL ? "REDIS_URL" : "in-memory", {
  make(logger) {
    const store = sessionStoreFromEnv({ ...process.env, REDIS_PREFIX: `test:${randomUUID()}:` }, logger);
    made.push(store);
    return store;
  },
});

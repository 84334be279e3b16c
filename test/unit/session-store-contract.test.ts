// The session store contract (templates/base/test/session-store-contract.ts) on the in-memory store;
// test/e2e/session-stores.test.ts runs it on Redis, and cloudflare projects' own tests on KV.
import { MemorySessionStore } from "../../templates/base/src/taskchain/index.js";
import { describeSessionStore } from "../../templates/base/test/session-store-contract.js";

describeSessionStore("MemorySessionStore", { make: () => new MemorySessionStore() });

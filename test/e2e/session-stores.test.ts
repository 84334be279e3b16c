// The session store contract (templates/base/test/session-store-contract.ts) on the Redis store a
// generated project gets, against a real redis-server that the outage case stops and restarts.
// The in-memory store runs it in test/unit; KV runs it in workerd in every cloudflare project.
import { rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll } from "vitest";
import type { Logger, SessionStore } from "../../templates/base/src/taskchain/index.js";
import { describeSessionStore } from "../../templates/base/test/session-store-contract.js";
import { defaultParameters } from "../../src/spec/spec.js";
import { generateInRepo } from "../helpers/in-repo-project.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";

type RedisStore = SessionStore & { close(): Promise<void> };
interface StoreModule {
  RedisSessionStore: new (options: { url: string; prefix?: string; timeoutMs?: number; logger: Logger }) => RedisStore;
}

let dir: string | undefined;
let mod: StoreModule;
let redis: RedisServer;
const made: RedisStore[] = [];
let prefixes = 0;

beforeAll(async () => {
  dir = await generateInRepo("session-stores", [{ name: "pin_vetting", prompt: "Ask for the PIN.", parameters: defaultParameters() }], "redis");
  mod = (await import(pathToFileURL(path.join(dir, "src/taskchain/redis-store.ts")).href)) as StoreModule;
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(made.map((store) => store.close()));
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describeSessionStore("RedisSessionStore on redis-server", {
  make(logger) {
    // A short operation timeout keeps the outage case quick: each failed call waits this long.
    const store = new mod.RedisSessionStore({ url: redis.url, prefix: `contract:${prefixes++}:`, timeoutMs: 300, logger });
    made.push(store);
    return store;
  },
  outage: {
    start: () => redis.stop(),
    async end() {
      redis = await startRedis(redis.port);
    },
  },
});

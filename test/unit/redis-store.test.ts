// The generated projects' Redis session store (templates/stores/redis) against a real redis-server.
import { createClient } from "@redis/client";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO } from "../helpers/project.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";

interface Session {
  key: string;
  state: Record<string, unknown>;
  retries: Record<string, number>;
}
interface Store {
  open(id: string, fresh: () => Session, ttlMs: number): Promise<Session>;
  save(id: string, session: Session, ttlMs: number): Promise<void>;
  end(id: string): Promise<void>;
  close(): Promise<void>;
}
interface StoreModule {
  RedisSessionStore: new (options: { url: string; prefix?: string }) => Store;
  redisStoreFromEnv(env: Record<string, string | undefined>): Store | undefined;
}

// Imported by path: the template imports its sibling session.ts only as a type, which exists in
// generated projects, not beside the template.
const modulePath = pathToFileURL(path.join(REPO, "templates/stores/redis/src/taskchain/redis-store.ts")).href;

const fresh = (key: string): Session => ({ key, state: {}, retries: {} });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("RedisSessionStore", () => {
  let redis: RedisServer;
  let mod: StoreModule;
  let raw: ReturnType<typeof createClient>;
  const stores: Store[] = [];
  const store = (prefix = "t:") => {
    const s = new mod.RedisSessionStore({ url: redis.url, prefix });
    stores.push(s);
    return s;
  };

  beforeAll(async () => {
    redis = await startRedis();
    mod = (await import(modulePath)) as StoreModule;
    raw = createClient({ url: redis.url });
    await raw.connect();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    if (raw?.isOpen) await raw.close();
    await redis?.stop();
  });

  it("keeps one session per caller id, stores its state, and forgets it on end", async () => {
    const s = store();
    expect((await s.open("a", () => fresh("k1"), 60_000)).key).toBe("k1");
    await s.save("a", { key: "k1", state: { step: 1 }, retries: { pin: 1 } }, 60_000);
    expect(await s.open("a", () => fresh("k2"), 60_000)).toEqual({ key: "k1", state: { step: 1 }, retries: { pin: 1 } });
    expect((await s.open("b", () => fresh("k3"), 60_000)).key).toBe("k3");
    await s.end("a");
    expect(await raw.exists("t:a")).toBe(0);
    expect((await s.open("a", () => fresh("k4"), 60_000)).key).toBe("k4");
  });

  it("sets a Redis expiry on every key it writes, and restarts it on every touch", async () => {
    const s = store();
    await s.open("ttl", () => fresh("k"), 60_000);
    const first = await raw.pTTL("t:ttl");
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(60_000);
    await raw.pExpire("t:ttl", 5_000); // as if 55 s had passed
    await s.open("ttl", () => fresh("other"), 60_000);
    expect(await raw.pTTL("t:ttl")).toBeGreaterThan(5_000);
    await raw.pExpire("t:ttl", 5_000);
    await s.save("ttl", fresh("k"), 60_000);
    expect(await raw.pTTL("t:ttl")).toBeGreaterThan(5_000);
    const keys = await raw.keys("t:*");
    for (const key of keys) expect(await raw.pTTL(key), key).toBeGreaterThan(0);
  });

  it("starts a new session once the idle TTL has passed (Redis expiry)", async () => {
    const s = store();
    expect((await s.open("idle", () => fresh("old"), 150)).key).toBe("old");
    for (let i = 0; i < 100 && (await raw.exists("t:idle")); i++) await sleep(50);
    expect(await raw.exists("t:idle")).toBe(0);
    expect((await s.open("idle", () => fresh("new"), 150)).key).toBe("new");
  });

  it("agrees on one key when two instances race on a call's first webhook (SET NX)", async () => {
    const one = store("race:");
    const two = store("race:");
    for (let i = 0; i < 25; i++) {
      const [a, b] = await Promise.all([one.open(`caller-${i}`, () => fresh(`a-${i}`), 60_000), two.open(`caller-${i}`, () => fresh(`b-${i}`), 60_000)]);
      expect(a.key).toBe(b.key);
      expect(JSON.parse((await raw.get(`race:caller-${i}`))!).key).toBe(a.key);
    }
  });

  it("is chosen by REDIS_URL", async () => {
    expect(mod.redisStoreFromEnv({})).toBeUndefined();
    expect(mod.redisStoreFromEnv({ REDIS_URL: " " })).toBeUndefined();
    const s = mod.redisStoreFromEnv({ REDIS_URL: redis.url, REDIS_PREFIX: "env:" })!;
    stores.push(s);
    await s.open("x", () => fresh("k"), 60_000);
    expect(await raw.exists("env:x")).toBe(1);
  });
});

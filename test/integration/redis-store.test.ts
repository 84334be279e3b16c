// The generated projects' Redis session store (templates/stores/redis) against a real redis-server.
import { createClient } from "@redis/client";
import { rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as z from "zod";
import { defaultParameters } from "../../src/spec/spec.js";
import { generateInRepo } from "../helpers/in-repo-project.js";
import { APOLOGY, consoleLogger, createTaskchain, defineLink, nextTask, silentLogger, type Logger } from "../../templates/base/src/taskchain/index.js";
import { freePort } from "../helpers/project.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";

interface Session {
  key: string;
  state: Record<string, unknown>;
  retries: Record<string, number>;
}
interface Store {
  open(id: string, fresh: () => Session, ttlMs: number): Promise<Session>;
  save(id: string, key: string, change: Partial<Session>, ttlMs: number): Promise<void>;
  end(id: string, key?: string, keep?: { last: { of: string; body: string; at: number }; ttlMs: number }): Promise<void>;
  close(): Promise<void>;
}
interface StoreModule {
  RedisSessionStore: new (options: { url: string; prefix?: string; timeoutMs?: number; logger: Logger }) => Store;
  redisStoreFromEnv(env: Record<string, string | undefined>, logger: Logger): Store | undefined;
}

// Imported from a node project generated inside the repo: the template imports its siblings in
// src/taskchain/, which sit beside it there.
let dir: string | undefined;
let loaded: Promise<StoreModule> | undefined;
function loadStore(): Promise<StoreModule> {
  loaded ??= (async () => {
    dir = await generateInRepo("redis", [{ name: "pin_vetting", prompt: "Ask for the PIN.", parameters: defaultParameters() }], "redis");
    return (await import(pathToFileURL(path.join(dir, "src/taskchain/redis-store.ts")).href)) as StoreModule;
  })();
  return loaded;
}
afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

const fresh = (key: string): Session => ({ key, state: {}, retries: {} });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("RedisSessionStore", () => {
  let redis: RedisServer;
  let mod: StoreModule;
  let raw: ReturnType<typeof createClient>;
  const stores: Store[] = [];
  const store = (prefix = "t:") => {
    const s = new mod.RedisSessionStore({ url: redis.url, prefix, logger: consoleLogger });
    stores.push(s);
    return s;
  };

  beforeAll(async () => {
    redis = await startRedis();
    mod = await loadStore();
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
    await s.save("a", "k1", { state: { step: 1 }, retries: { pin: 1 } }, 60_000);
    expect(await s.open("a", () => fresh("k2"), 60_000)).toEqual({ key: "k1", state: { step: 1 }, retries: { pin: 1 } });
    expect((await s.open("b", () => fresh("k3"), 60_000)).key).toBe("k3");
    await s.end("a");
    expect(await raw.exists("t:a")).toBe(0);
    expect((await s.open("a", () => fresh("k4"), 60_000)).key).toBe("k4");
  });

  it("takes a session an earlier version stored as one JSON string for none, in every operation", async () => {
    const s = store();
    const legacy = JSON.stringify({ session: fresh("old"), expires: Date.now() + 60_000 });
    const put = () => raw.set("t:legacy", legacy, { PX: 60_000 });
    await put();
    await s.save("legacy", "old", { state: { step: 1 } }, 60_000);
    await s.end("legacy", "old");
    expect(await raw.get("t:legacy")).toBe(legacy);
    const last = { of: "pin\nqualified\n{}", body: "{}", at: Date.now() };
    await s.end("legacy", "old", { last, ttlMs: 60_000 });
    expect(await s.open("legacy", () => fresh("next"), 60_000)).toEqual({ key: "old", state: {}, retries: {}, last });
    await put();
    expect(await s.open("legacy", () => fresh("next"), 60_000)).toEqual(fresh("next"));
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
    await s.save("ttl", "k", {}, 60_000);
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

  it("agrees on one key when two instances race on a call's first webhook", async () => {
    const one = store("race:");
    const two = store("race:");
    for (let i = 0; i < 25; i++) {
      const [a, b] = await Promise.all([one.open(`caller-${i}`, () => fresh(`a-${i}`), 60_000), two.open(`caller-${i}`, () => fresh(`b-${i}`), 60_000)]);
      expect(a.key).toBe(b.key);
      expect(await raw.hGet(`race:caller-${i}`, "key")).toBe(a.key);
    }
  });

  it("is chosen by REDIS_URL", async () => {
    expect(mod.redisStoreFromEnv({}, consoleLogger)).toBeUndefined();
    expect(mod.redisStoreFromEnv({ REDIS_URL: " " }, consoleLogger)).toBeUndefined();
    const s = mod.redisStoreFromEnv({ REDIS_URL: redis.url, REDIS_PREFIX: "env:" }, consoleLogger)!;
    stores.push(s);
    await s.open("x", () => fresh("k"), 60_000);
    expect(await raw.exists("env:x")).toBe(1);
  });
});

describe("RedisSessionStore when Redis is away", () => {
  let mod: StoreModule;
  const stores: Store[] = [];
  const servers: RedisServer[] = [];
  beforeAll(async () => {
    mod = await loadStore();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await Promise.all(servers.map((r) => r.stop()));
    vi.restoreAllMocks();
  });

  const store = (port: number) => {
    const s = new mod.RedisSessionStore({ url: `redis://127.0.0.1:${port}`, prefix: "away:", timeoutMs: 300, logger: consoleLogger });
    stores.push(s);
    return s;
  };
  /** Retries `open` until Redis answers again (the client reconnects with a backoff of at most 2 s). */
  async function openWhenBack(s: Store, key: string): Promise<Session> {
    for (let i = 0; ; i++) {
      try {
        return await s.open("back", () => fresh(key), 60_000);
      } catch (error) {
        if (i > 100) throw error;
        await sleep(100);
      }
    }
  }

  it("fails each operation instead of hanging, logs the outage once, and recovers when Redis is back", async () => {
    // consoleLogger: errors through console.error, "is back" (info) through console.log.
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const infos = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const lines = (pattern: RegExp) => [...errors.mock.calls, ...infos.mock.calls].filter(([line]) => pattern.test(String(line))).length;
    const port = await freePort();
    const s = store(port);
    for (let i = 0; i < 3; i++) await expect(s.open("a", () => fresh("k"), 60_000)).rejects.toThrow(/Redis/);
    await expect(s.save("a", "k", {}, 60_000)).rejects.toThrow(/Redis/);
    await expect(s.end("a")).rejects.toThrow(/Redis/);
    expect(lines(/redis unavailable/)).toBe(1);
    expect(String(errors.mock.calls.find(([line]) => /redis unavailable/.test(String(line)))?.[0])).toMatch(/ECONNREFUSED/);

    servers.push(await startRedis(port));
    expect((await openWhenBack(s, "k1")).key).toBe("k1");
    expect(lines(/redis is back/)).toBe(1);
    expect(lines(/redis unavailable/)).toBe(1);
    errors.mockRestore();
    infos.mockRestore();
  });

  it("answers a webhook call with the apology when Redis goes away mid-call or hangs, and the next call works", async () => {
    const redis = await startRedis();
    servers.push(redis);
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const link = defineLink({
      name: "pin_vetting",
      parameters: { qualified: z.object({ pin: z.string() }) },
      initial: () => ({ content: "Ask for the PIN." }),
      qualified: () => ({ content: "Thanks.", actions: [nextTask()] }),
      disqualified: () => ({ content: "Bye." }),
    });
    const app = createTaskchain({ links: [link], store: store(redis.port), logger: silentLogger });
    const send = async (action: string, context?: Record<string, unknown>) => {
      const answer = await app.handle({
        method: "POST",
        url: "/pin_vetting",
        body: { json: { name: "pin_vetting", action, call_from: "+15125550100", call_forwarded_by: "", ...(context ? { context } : {}) } },
      });
      expect(answer.status).toBe(200);
      return JSON.parse(answer.body) as { key: string; content: string };
    };

    const first = await send("initial");
    expect(first.content).toBe("Ask for the PIN.");
    redis.pause(); // connected, but nothing answers
    expect((await send("qualified", { pin: "1" })).content).toBe(APOLOGY);
    redis.resume();
    await redis.stop(); // the connection drops
    expect((await send("qualified", { pin: "1" })).content).toBe(APOLOGY);

    servers.push(await startRedis(redis.port));
    for (let i = 0; ; i++) {
      const again = await send("initial");
      if (again.content !== APOLOGY) {
        expect(again.content).toBe("Ask for the PIN.");
        break;
      }
      if (i > 100) throw new Error("Redis never came back");
      await sleep(100);
    }
    errors.mockRestore();
  });

  it("gives every call its own timeout while Redis is away, not that of a call that was waiting before it", async () => {
    const lines: string[] = [];
    const logger: Logger = { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
    const s = new mod.RedisSessionStore({ url: `redis://127.0.0.1:${await freePort()}`, prefix: "away:", timeoutMs: 300, logger });
    stores.push(s);
    const timed = async (id: string) => {
      const started = performance.now();
      const error = await s.open(id, () => fresh("k"), 60_000).then(() => undefined, (e: unknown) => e as Error);
      return { error, ms: performance.now() - started };
    };
    const first = timed("first");
    await sleep(200);
    const second = await timed("second"); // joins while the first is still waiting
    expect(second.error?.message).toBe("Redis is not reachable (no connection within 300 ms)");
    expect(second.ms).toBeGreaterThanOrEqual(290); // it failed at the first's deadline, 100 ms in
    expect((await first).error?.message).toBe("Redis is not reachable (no connection within 300 ms)");
    // The outage went to the store's logger, once.
    expect(lines).toEqual([expect.stringMatching(/^error redis unavailable/)]);
  });

  it("goes ahead with a call that was waiting when Redis comes up before its deadline, and never with one past it", async () => {
    const port = await freePort();
    const s = new mod.RedisSessionStore({ url: `redis://127.0.0.1:${port}`, prefix: "wait:", timeoutMs: 200, logger: silentLogger });
    stores.push(s);
    await expect(s.open("late", () => fresh("late"), 60_000)).rejects.toThrow(/^Redis is not reachable/);
    const patient = new mod.RedisSessionStore({ url: `redis://127.0.0.1:${port}`, prefix: "wait:", timeoutMs: 10_000, logger: silentLogger });
    stores.push(patient);
    const waiting = patient.open("waiting", () => fresh("w"), 60_000);
    await sleep(100);
    const redis = await startRedis(port);
    servers.push(redis);
    expect((await waiting).key).toBe("w");
    // The first store reconnects too; the call that timed out before is not run late.
    expect((await openWhenBack(s, "k")).key).toBe("k");
    const raw = createClient({ url: redis.url });
    await raw.connect();
    expect(await raw.exists("wait:late")).toBe(0);
    expect(await raw.exists("wait:waiting")).toBe(1);
    await raw.close();
  });

  it("closes at once when Redis is down or was never used", async () => {
    const s = store(await freePort());
    await expect(s.open("x", () => fresh("k"), 60_000)).rejects.toThrow(/Redis/);
    await s.close();
    await store(await freePort()).close();
    await expect(s.open("x", () => fresh("k"), 60_000)).rejects.toThrow(/closed/);
  });

  it("refuses a REDIS_URL that is not a Redis URL with one line naming it, never its password", () => {
    expect(() => mod.redisStoreFromEnv({ REDIS_URL: "localhost:6379" }, consoleLogger)).toThrow(/^REDIS_URL is not a Redis URL/);
    let message = "";
    try {
      mod.redisStoreFromEnv({ REDIS_URL: "redis://:s3cret@cache.internal:notaport" }, consoleLogger);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^REDIS_URL is not a Redis URL/);
    expect(message).not.toContain("s3cret");
    expect(message).not.toContain("\n");
  });
});

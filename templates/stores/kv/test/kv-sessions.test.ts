// Sessions in Workers KV, in real workerd: the session store contract, the store's own write
// economy, and two workers (two workerd instances sharing one KV namespace) answering alternate
// webhooks of one call with one key. Without KV, the isolate's memory store keeps to MAX_SESSIONS.
// Miniflare 5 (wrangler's own) takes a new options shape; its converter keeps these options in the
// documented Miniflare 4 form.
import { randomUUID } from "node:crypto";
import { convertV4MiniflareOptions as v4, Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chain } from "../src/links/index.ts";
import { KvSessionStore, type KvNamespace } from "../src/kv-store.ts";
import { describeSessionStore } from "./session-store-contract.ts";
import { bundleWorker, COMPATIBILITY_DATE } from "./target.ts";

const fresh = (key: string) => ({ key, state: {}, retries: {} });

let mf: Miniflare;
let kv: KvNamespace;
beforeAll(async () => {
  mf = new Miniflare(v4({ modules: true, script: "export default { fetch: () => new Response('') }", kvNamespaces: ["SESSIONS"], compatibilityDate: COMPATIBILITY_DATE }));
  kv = (await mf.getKVNamespace("SESSIONS")) as unknown as KvNamespace;
});
afterAll(() => mf?.dispose());

// An outage: every KV operation fails, as when the binding's backend errors or refuses writes.
let away = false;
const fails = <T>(work: () => Promise<T>): Promise<T> => (away ? Promise.reject(new Error("KV GET failed: 503 Service Unavailable")) : work());
describeSessionStore("KvSessionStore on workerd's KV", {
  make(logger) {
    const flaky: KvNamespace = {
      get: (key, type) => fails(() => kv.get(key, type)),
      put: (key, value, options) => fails(() => kv.put(key, value, options)),
      delete: (key) => fails(() => kv.delete(key)),
    };
    return new KvSessionStore(flaky, { prefix: `contract:${randomUUID()}:`, logger });
  },
  outage: {
    start: async () => void (away = true),
    end: async () => void (away = false),
  },
  // KV has no conditional write: of two saves of one call at the same moment, one may be lost.
  conditionalWrites: false,
});

describe("KvSessionStore on workerd's KV", () => {
  it("keeps one session per caller, merges saved state, and forgets it on end", async () => {
    const store = new KvSessionStore(kv);
    const first = await store.open("caller-1", () => fresh("k1"), 60_000);
    expect(first.key).toBe("k1");
    await store.save("caller-1", first.key, { state: { step: 1 } }, 60_000);
    const again = await store.open("caller-1", () => fresh("k2"), 60_000);
    expect(again).toEqual({ key: "k1", state: { step: 1 }, retries: {} });
    expect((await store.open("caller-2", () => fresh("k3"), 60_000)).key).toBe("k3");
    await store.end("caller-1");
    expect((await store.open("caller-1", () => fresh("k4"), 60_000)).key).toBe("k4");
  });

  it("answers within its timeout when KV does not, and logs the outage once", async () => {
    const errors: string[] = [];
    const silent = () => {};
    const stuck: KvNamespace = { get: () => new Promise(silent), put: () => new Promise(silent), delete: () => new Promise(silent) };
    const store = new KvSessionStore(stuck, { timeoutMs: 100, logger: { info: silent, warn: silent, error: (message) => void errors.push(message) } });
    for (let i = 0; i < 3; i++) await expect(store.open("caller", () => fresh("k"), 60_000)).rejects.toThrow(/within 100 ms/);
    await expect(store.save("caller", "k", {}, 60_000)).rejects.toThrow(/within 100 ms/);
    expect(errors).toHaveLength(1);
  });

  it("starts a new session after the idle TTL, even one under KV's 60 s minimum", async () => {
    let now = 1_000_000;
    const store = new KvSessionStore(kv, { now: () => now });
    // As dispatch does for every webhook call: open, then save (or end).
    const touch = async (key: string) => {
      const session = await store.open("caller-ttl", () => fresh(key), 5_000);
      await store.save("caller-ttl", session.key, {}, 5_000);
      return session.key;
    };
    expect(await touch("old")).toBe("old");
    now += 4_000;
    expect(await touch("new")).toBe("old"); // touched: TTL restarts
    now += 4_000;
    expect(await touch("new")).toBe("old");
    now += 5_001;
    expect(await touch("new")).toBe("new");
  });

  it("writes a call's session at most once per webhook call, and not again at once when nothing changed", async () => {
    let now = 2_000_000;
    const puts: string[] = [];
    // KV takes one write per second to a key; Agent4 sends the next link's initial right after an outcome.
    const counting: KvNamespace = {
      get: (key, type) => kv.get(key, type),
      put: (key, value, options) => (puts.push(key), kv.put(key, value, options)),
      delete: (key) => kv.delete(key),
    };
    const store = new KvSessionStore(counting, { now: () => now });
    const ttl = 30 * 60_000;
    const first = await store.open("caller-w", () => fresh("w1"), ttl);
    expect(puts).toEqual([]); // open() only reads
    await store.save("caller-w", first.key, {}, ttl);
    expect(puts).toHaveLength(1);
    now += 300; // the outcome's answer, then at once the next link's initial
    const again = await store.open("caller-w", () => fresh("w2"), ttl);
    expect(again.key).toBe("w1");
    await store.save("caller-w", again.key, {}, ttl);
    expect(puts).toHaveLength(1);
    now += 20_000; // the conversation; the state changed
    const later = await store.open("caller-w", () => fresh("w3"), ttl);
    await store.save("caller-w", later.key, { state: { pin: "1234" } }, ttl);
    expect(puts).toHaveLength(2);
    now += 20_000; // unchanged but no longer fresh: the idle TTL restarts
    await store.save("caller-w", (await store.open("caller-w", () => fresh("w4"), ttl)).key, {}, ttl);
    expect(puts).toHaveLength(3);
    expect((await store.open("caller-w", () => fresh("w5"), ttl)).state).toEqual({ pin: "1234" });
  });
});

describe("KvSessionStore's last answers", () => {
  it("keeps them apart from the session, in two keys in turn: an outcome then at once an initial write no key twice", async () => {
    let now = 3_000_000;
    const puts: string[] = [];
    const counting: KvNamespace = {
      get: (key, type) => kv.get(key, type),
      put: (key, value, options) => (puts.push(key), kv.put(key, value, options)),
      delete: (key) => kv.delete(key),
    };
    const store = new KvSessionStore(counting, { now: () => now, prefix: `turns:${randomUUID()}:` });
    const ttl = 30 * 60_000;
    const answered = (of: string) => ({ of, body: JSON.stringify({ of }), at: now });
    const first = await store.open("c", () => fresh("t1"), ttl);
    await store.save("c", first.key, { state: { pin: "1" }, last: answered("qualified") }, ttl);
    const outcome = puts.splice(0);
    now += 300;
    const next = await store.open("c", () => fresh("t2"), ttl);
    expect(next.last?.of).toBe("qualified");
    await store.save("c", next.key, { last: answered("initial") }, ttl);
    expect(puts).toHaveLength(1);
    expect(outcome).not.toContain(puts[0]);
    expect(await store.open("c", () => fresh("t3"), ttl)).toMatchObject({ key: "t1", state: { pin: "1" }, last: { of: "initial" } });
    await store.end("c", "t1");
    expect(await store.open("c", () => fresh("t4"), ttl)).toEqual(fresh("t4"));
  });
});

describe("two workers sharing one KV namespace", () => {
  const token = "kv-test-token";
  let mf: Miniflare;
  const urls: string[] = [];
  beforeAll(async () => {
    const script = await bundleWorker();
    // Two isolates bound to one namespace id, as two of the worker's instances are in production.
    const worker = (name: string) => ({ name, modules: true, script, compatibilityDate: COMPATIBILITY_DATE, bindings: { TASKCHAIN_TOKEN: token }, kvNamespaces: { SESSIONS: "sessions" }, unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }] });
    mf = new Miniflare(v4({ host: "127.0.0.1", port: 0, workers: [worker("one"), worker("two")] }));
    for (const name of ["one", "two"]) urls.push((await mf.unsafeGetDirectURL(name)).origin);
  });
  afterAll(() => mf?.dispose());

  async function call(url: string, body: Record<string, unknown>): Promise<{ key: string }> {
    const res = await fetch(`${url}/`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    return (await res.json()) as { key: string };
  }

  it("keeps one key while webhooks alternate between them, and a new key for the next call", async () => {
    const caller = { call_from: "+15125550100", call_forwarded_by: "+15128888888" };
    const name = chain[0].name;
    const keys: string[] = [];
    for (let i = 0; i < 4; i++) keys.push((await call(urls[i % 2]!, { name, action: "initial", ...caller })).key);
    expect(new Set(keys).size).toBe(1);
    await call(urls[0]!, { name, action: "interrupt", ...caller });
    const next = await call(urls[1]!, { name, action: "initial", ...caller });
    expect(next.key).not.toBe(keys[0]);
  });
});

describe("a worker without KV", () => {
  const token = "memory-test-token";
  let mf: Miniflare;
  let url: string;
  beforeAll(async () => {
    // No SESSIONS binding: sessions in the isolate's memory, capped by MAX_SESSIONS.
    mf = new Miniflare(v4({ modules: true, script: await bundleWorker(), compatibilityDate: COMPATIBILITY_DATE, bindings: { TASKCHAIN_TOKEN: token, MAX_SESSIONS: "1" }, host: "127.0.0.1", port: 0 }));
    url = (await mf.ready).origin;
  });
  afterAll(() => mf?.dispose());

  const initial = async (call_from: string): Promise<string> => {
    const res = await fetch(`${url}/`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ name: chain[0].name, action: "initial", call_from, call_forwarded_by: "" }) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { key: string }).key;
  };

  it("keeps no more sessions than MAX_SESSIONS: a second caller evicts the first", async () => {
    const first = await initial("+15125550101");
    expect(await initial("+15125550101")).toBe(first); // kept while it is the only one
    await initial("+15125550102");
    expect(await initial("+15125550101")).not.toBe(first);
  });
});

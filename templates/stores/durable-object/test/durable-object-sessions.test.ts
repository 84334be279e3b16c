// Sessions in Durable Objects, in real workerd: the session store contract on this worker's own
// CallSession class, and two workers (two workerd instances bound to one Durable Object namespace,
// as two Cloudflare locations are) answering one call's webhooks, racing ones included, with one key.
// Miniflare 5 (wrangler's own) takes a new options shape; its converter keeps these options in the
// documented Miniflare 4 form.
import { randomUUID } from "node:crypto";
import { convertV4MiniflareOptions as v4, Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chain } from "../src/links/index.ts";
import { DurableObjectSessionStore, type CallSessionNamespace, type CallSessionStub } from "../src/durable-object-store.ts";
import type { Session } from "../src/taskchain/index.ts";
import { describeSessionStore } from "./session-store-contract.ts";
import { sessionsBinding } from "./sessions-binding.ts";
import { bundleWorker, COMPATIBILITY_DATE } from "./target.ts";

let mf: Miniflare;
let objects: CallSessionNamespace;
beforeAll(async () => {
  mf = new Miniflare(v4({ modules: true, script: await bundleWorker(), compatibilityDate: COMPATIBILITY_DATE, ...sessionsBinding }));
  objects = (await mf.getDurableObjectNamespace("SESSIONS")) as unknown as CallSessionNamespace;
});
afterAll(() => mf?.dispose());

// An outage: every call to an object fails, as when Cloudflare cannot reach or reset it.
let away = false;
const fails = <T>(work: () => Promise<T>): Promise<T> => (away ? Promise.reject(new Error("Durable Object reset because its code was updated")) : work());
describeSessionStore("DurableObjectSessionStore on workerd's Durable Objects", {
  make(logger) {
    const flaky: CallSessionNamespace = {
      idFromName: (name) => objects.idFromName(name),
      get(id): CallSessionStub {
        const object = objects.get(id);
        return {
          // Miniflare hands this Node process an object's answer as a proxy, which a later call sends
          // back as first received, edits lost; a worker calling its object gets a plain copy, as here.
          open: (candidate, ttlMs) => fails(() => object.open(candidate, ttlMs)).then((session) => JSON.parse(JSON.stringify(session)) as Session),
          save: (key, change, ttlMs) => fails(() => object.save(key, change, ttlMs)),
          end: (key, keep) => fails(() => object.end(key, keep)),
        };
      },
    };
    return new DurableObjectSessionStore(flaky, { prefix: `contract:${randomUUID()}:`, logger });
  },
  outage: {
    start: async () => void (away = true),
    end: async () => void (away = false),
  },
});

describe("DurableObjectSessionStore on workerd's Durable Objects", () => {
  it("gives two opens racing on a caller's first webhook one key", async () => {
    const store = new DurableObjectSessionStore(objects, { prefix: `race:${randomUUID()}:` });
    for (let call = 0; call < 10; call++) {
      const fresh = (key: string) => () => ({ key, state: {}, retries: {} });
      const [a, b] = await Promise.all([store.open(`caller-${call}`, fresh("one"), 60_000), store.open(`caller-${call}`, fresh("two"), 60_000)]);
      expect(a.key).toBe(b.key);
    }
  });

  it("answers within its timeout when the object does not, and logs the outage once", async () => {
    const errors: string[] = [];
    const silent = () => {};
    const stuck: CallSessionNamespace = { idFromName: (name) => name, get: () => ({ open: () => new Promise(silent), save: () => new Promise(silent), end: () => new Promise(silent) }) };
    const store = new DurableObjectSessionStore(stuck, { timeoutMs: 100, logger: { info: silent, warn: silent, error: (message) => void errors.push(message) } });
    for (let i = 0; i < 3; i++) await expect(store.open("caller", () => ({ key: "k", state: {}, retries: {} }), 60_000)).rejects.toThrow(/within 100 ms/);
    expect(errors).toHaveLength(1);
  });
});

describe("two workers bound to one Durable Object namespace", () => {
  const token = "do-test-token";
  let mf: Miniflare;
  const urls: string[] = [];
  beforeAll(async () => {
    const script = await bundleWorker();
    // Worker "one" hosts the objects; "two" reaches the same ones, as every location does in production.
    const worker = (name: string, scriptName?: string) => ({
      name,
      modules: true,
      script,
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: { TASKCHAIN_TOKEN: token },
      durableObjects: { SESSIONS: { className: "CallSession", useSQLite: true, scriptName } },
      unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
    });
    mf = new Miniflare(v4({ host: "127.0.0.1", port: 0, workers: [worker("one"), worker("two", "one")] }));
    for (const name of ["one", "two"]) urls.push((await mf.unsafeGetDirectURL(name)).origin);
  });
  afterAll(() => mf?.dispose());

  async function call(url: string, body: Record<string, unknown>): Promise<{ key: string }> {
    const res = await fetch(`${url}/`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    return (await res.json()) as { key: string };
  }

  it("keeps one key while webhooks alternate or race between them, and a new key for the next call", async () => {
    const caller = { call_from: "+15125550100", call_forwarded_by: "+15128888888" };
    const name = chain[0].name;
    const raced = await Promise.all(urls.map((url) => call(url, { name, action: "initial", ...caller })));
    const keys = raced.map((answer) => answer.key);
    for (let i = 0; i < 4; i++) keys.push((await call(urls[i % 2]!, { name, action: "initial", ...caller })).key);
    expect(new Set(keys).size).toBe(1);
    await call(urls[0]!, { name, action: "interrupt", ...caller });
    const next = await call(urls[1]!, { name, action: "initial", ...caller });
    expect(next.key).not.toBe(keys[0]);
  });
});

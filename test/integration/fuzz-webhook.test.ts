// Property-based tests of the webhook: random and hostile requests (methods, paths, tokens, content
// types, non-JSON, wrong types, huge strings, deep nesting, prototype-pollution keys) against the
// runtime in-process (sessions in memory and in a real redis-server, through its JSON round trip)
// and over real HTTP against a generated node project. Properties: the server never crashes,
// never answers 5xx, always answers a JSON error or a valid response, never leaks a stack trace,
// never lets the request touch another caller's session (callers whose numbers run together like
// the victim's included), never pollutes Object.prototype, and logs one JSON line per event.
import { rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import fc from "fast-check";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as z from "zod";
import { defaultParameters } from "../../src/spec/spec.js";
import { generateInRepo } from "../helpers/in-repo-project.js";
import {
  APOLOGY,
  createTaskchain,
  defineLink,
  endCall,
  INVALID_CONTEXT_GIVE_UP,
  INVALID_CONTEXT_RETRY,
  nextTask,
  ResponseSchema,
  consoleLogger,
  silentLogger,
  type HttpRequest,
  type Logger,
  type SessionStore,
  type Taskchain,
} from "../../templates/base/src/taskchain/index.js";
import { caller, contextText, expectPrototypesClean, expectWellFormed, fuzzMalformedHttp, fuzzServer, hostileKey, hostileString, HttpTarget, jsonText, LOOKALIKES, objectText, POLLUTION_KEYS, SECRET, VICTIM, field } from "../helpers/hostile.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";

const TOKEN = "fuzz-tökén-✓";
/** Inputs tried per property, summed and printed at the end, so a run shows how much it covered. */
const tried: Record<string, number> = {};
const count = (what: string, n = 1) => (tried[what] = (tried[what] ?? 0) + n);

// ---------------------------------------------------------------------------------------------
// The chain under test: typed links, a link echoing hostile context into state, a link whose
// handlers fail in every way a handler can, and a link named like an Object.prototype member.

const alpha = defineLink({
  name: "alpha",
  parameters: {
    qualified: z.object({ pin: z.string(), n: z.int().optional() }),
    disqualified: z.object({ reason: z.string() }),
    interrupt: z.object({ reason: z.string() }),
  },
  initial: ({ state }) => ({ content: `alpha ${JSON.stringify(state)}` }),
  qualified: ({ context }) => ({ state: { pin: context.pin }, actions: [nextTask()] }),
  disqualified: ({ context }) => ({ content: context.reason, actions: [endCall()] }),
  interrupt: () => ({}),
});

// Reads the call's state back: the victim's probe. Keeps the session's state object itself too.
let lastSeenState: Readonly<Record<string, unknown>> | undefined;
const beta = defineLink({
  name: "beta",
  parameters: { qualified: z.object({}), disqualified: z.object({ reason: z.string() }) },
  initial: ({ state }) => {
    lastSeenState = state;
    return { content: JSON.stringify(state) };
  },
  qualified: ({ state }) => ({ content: JSON.stringify(state), actions: [nextTask()] }),
  disqualified: () => ({ actions: [endCall()] }),
});

// Merges whatever context arrives (own `__proto__`, `constructor`, deep nesting) into the state.
const echo = defineLink({
  name: "echo",
  parameters: { qualified: z.record(z.string(), z.unknown()), disqualified: z.looseObject({}) },
  initial: ({ state }) => ({ content: `echo ${Object.keys(state).length}` }),
  qualified: ({ context }) => ({ state: context, actions: [nextTask()] }),
  disqualified: ({ context }) => ({ state: { ...context, copy: context }, actions: [{ name: "switch_task", context: { name: "alpha" } }] }),
  interrupt: ({ context }) => ({ state: { last: context ?? null } }),
});

// Turns context text into an object and stores it, the way a handler parsing a field would: its
// own "__proto__"/"constructor" keys reach the state merge (zod drops "__proto__" from context).
const raw = defineLink({
  name: "raw",
  parameters: { qualified: z.object({ json: z.string() }), disqualified: z.object({ json: z.string() }) },
  initial: ({ state }) => ({ content: `raw ${Object.keys(state).length}` }),
  qualified: ({ context }) => ({ state: JSON.parse(context.json) as Record<string, unknown>, actions: [nextTask()] }),
  disqualified: ({ context }) => {
    const parsed = JSON.parse(context.json) as Record<string, unknown>;
    return { state: { ...parsed, nested: parsed }, actions: [{ name: "switch_task", context: { name: "alpha" } }] };
  },
});

// Every way a handler can go wrong: throws, throws a non-Error, returns unserializable replies.
const cyclic: Record<string, unknown> = {};
cyclic.self = cyclic;
const broken = defineLink({
  name: "broken",
  parameters: { qualified: z.looseObject({ how: z.string().optional() }), disqualified: z.object({}) },
  initial: () => {
    throw new Error(SECRET);
  },
  qualified: ({ context }) => {
    switch (context.how) {
      case "null-proto":
        throw Object.create(null) as never; // String() of it throws
      case "bigint":
        return { state: { n: 10n } };
      case "cycle":
        return { state: cyclic };
      case "deep":
        return { state: { deep: nest(50_000) } };
      case "null":
        return null as never;
      case "bad-action":
        return { actions: [{ name: "switch_task", context: { name: "nowhere" } }] };
      default:
        return Promise.reject(new TypeError(SECRET));
    }
  },
  disqualified: () => ({ content: 42 as never }),
});

// A link named like an Object.prototype member: per-link bookkeeping must not read inherited keys.
const ctor = defineLink({
  name: "constructor",
  parameters: { qualified: z.object({ code: z.string() }), disqualified: z.object({ reason: z.string() }) },
  initial: () => ({ content: "code?" }),
  qualified: ({ context }) => ({ state: { code: context.code }, actions: [nextTask()] }),
  disqualified: () => ({ actions: [endCall()] }),
});

const LINKS = [alpha, beta, echo, raw, broken, ctor];
const LINK_NAMES = LINKS.map((l) => l.name);

function nest(depth: number): unknown {
  let v: unknown = "bottom";
  for (let i = 0; i < depth; i++) v = { d: v };
  return v;
}

// ---------------------------------------------------------------------------------------------
// Requests to the chain above (test/helpers/hostile.ts has the JSON text they are made of)

/** A webhook payload as JSON text: mostly well-formed enough to reach the handlers, often not. */
const payloadText = fc
  .record(
    {
      name: field(fc.constantFrom(...LINK_NAMES, "__proto__", "prototype", "nope", "ALPHA", "")),
      action: field(fc.constantFrom("initial", "qualified", "disqualified", "interrupt", "INITIAL", "hack")),
      call_from: field(caller),
      call_forwarded_by: field(caller),
      context: contextText,
      extra: fc.array(fc.tuple(hostileKey, jsonText), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  )
  .filter((p) => !(p.call_from === JSON.stringify(VICTIM.call_from) && p.call_forwarded_by === JSON.stringify(VICTIM.call_forwarded_by)))
  .map((p) => {
    const entries: Array<[string, string]> = [];
    for (const k of ["name", "action", "call_from", "call_forwarded_by", "context"] as const) if (p[k] !== undefined) entries.push([k, p[k]]);
    return objectText([...entries, ...(p.extra ?? [])]);
  });

const bodyText = fc.oneof(
  { weight: 6, arbitrary: payloadText },
  fc.string({ unit: "binary", maxLength: 60 }),
  fc.constantFrom("", "   ", "\n", "null", "[]", "{}", "0", '"x"', "{", '{"name":', "\ufeff{}", "NaN", "undefined", "<xml/>", "name=alpha&action=initial"),
  jsonText,
);

const method = fc.oneof({ weight: 5, arbitrary: fc.constant("POST") }, fc.constantFrom("GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "post", "PoSt"), fc.string({ minLength: 1, maxLength: 8 }));
const pathname = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("/", ...LINK_NAMES.map((n) => `/${n}`)) },
  fc.constantFrom("/health", "/health/", "/alpha/", "//", "/nope", "/../etc/passwd", "/%2e%2e/", "/ALPHA", "/__proto__", "/prototype", "/alpha/beta", "/alpha%00", "/alpha%2F", "*", "/?", "/health?token=x"),
  fc.string({ unit: "grapheme-ascii", maxLength: 20 }).map((s) => `/${encodeURI(s)}`),
);
const auth = fc.oneof(
  fc.constantFrom<{ header?: string; query?: string }>({}, { header: `Bearer ${TOKEN}` }, { header: `bearer   ${TOKEN}  ` }, { query: TOKEN }, { header: "Bearer", query: TOKEN }, { header: `Basic ${TOKEN}` }, { header: `Bearer ${TOKEN}x` }, { query: `${TOKEN} ` }, { header: `Bearer ${TOKEN.slice(0, -1)}` }),
  fc.record({ header: fc.string({ maxLength: 30 }) }, { requiredKeys: [] }),
  fc.record({ query: fc.string({ unit: "binary", maxLength: 30 }) }),
);

interface Hostile {
  method: string;
  path: string;
  auth: { header?: string; query?: string };
  extraQuery: string;
  body: string | undefined;
  parsedByFramework: boolean;
}
const extraQuery = fc.constantFrom("", "a=1", "token=", "token=wrong", "__proto__[x]=1", "%zz");
const anyRequest: fc.Arbitrary<Hostile> = fc.record({
  method,
  path: pathname,
  auth,
  extraQuery,
  body: fc.option(bodyText, { nil: undefined, freq: 8 }),
  parsedByFramework: fc.boolean(),
});
/** Authorised, routed and well-formed up to the context: these reach the handlers and the sessions. */
const handlerRequest: fc.Arbitrary<Hostile> = fc
  .record({
    name: fc.constantFrom(...LINK_NAMES),
    viaRoot: fc.boolean(),
    action: fc.constantFrom("initial", "qualified", "disqualified", "interrupt"),
    from: fc.oneof({ weight: 3, arbitrary: fc.constantFrom("+15551230000", "+15551230001", VICTIM.call_from) }, hostileString),
    forwardedBy: fc.option(fc.oneof(fc.constantFrom("", "+15551239999", VICTIM.call_forwarded_by), hostileString), { nil: undefined }),
    lookalike: fc.option(fc.constantFrom(...LOOKALIKES), { nil: undefined, freq: 2 }),
    context: fc.option(contextText, { nil: undefined }),
    auth: fc.constantFrom({ header: `Bearer ${TOKEN}` }, { query: TOKEN }),
    parsedByFramework: fc.boolean(),
  })
  .map((r) => (r.lookalike ? { ...r, from: r.lookalike.from, forwardedBy: r.lookalike.forwardedBy } : r))
  .filter((r) => !(r.from === VICTIM.call_from && r.forwardedBy === VICTIM.call_forwarded_by))
  .map((r) => {
    const entries: Array<[string, string]> = [
      ["name", JSON.stringify(r.name)],
      ["action", JSON.stringify(r.action)],
      ["call_from", JSON.stringify(r.from)],
    ];
    if (r.forwardedBy !== undefined) entries.push(["call_forwarded_by", JSON.stringify(r.forwardedBy)]);
    if (r.context !== undefined) entries.push(["context", r.context]);
    return { method: "POST", path: r.viaRoot ? "/" : `/${r.name}`, auth: r.auth, extraQuery: "", body: objectText(entries), parsedByFramework: r.parsedByFramework };
  });
const hostile = fc.oneof(anyRequest, handlerRequest);

function urlOf(h: Hostile): string {
  const query = [h.auth.query === undefined ? "" : `token=${encodeURIComponent(h.auth.query)}`, h.extraQuery].filter(Boolean).join("&");
  return query ? `${h.path}${h.path.includes("?") ? "&" : "?"}${query}` : h.path;
}

/** Could this request possibly be authorised? The runtime may never let one through that is not. */
function carriesToken(h: Hostile): boolean {
  return (h.auth.header?.includes(TOKEN) ?? false) || h.auth.query === TOKEN;
}

// ---------------------------------------------------------------------------------------------
// In process: createTaskchain

function app(store?: SessionStore): Taskchain {
  return createTaskchain({ links: LINKS, token: TOKEN, logger: silentLogger, ...(store ? { store } : {}) });
}

async function send(chain: Taskchain, h: Hostile) {
  const req: HttpRequest = { method: h.method, url: urlOf(h), authorization: h.auth.header };
  if (h.body !== undefined) {
    let json: unknown;
    let parsed = false;
    if (h.parsedByFramework) {
      try {
        json = JSON.parse(h.body);
        parsed = true;
      } catch {
        // a framework would have answered 400 itself; send the text instead
      }
    }
    req.body = parsed ? { json } : { text: h.body };
  }
  return chain.handle(req);
}

const victimCall = (chain: Taskchain, name: string, action: string, context?: unknown) =>
  chain.handle({
    method: "POST",
    url: `/${name}`,
    authorization: `Bearer ${TOKEN}`,
    body: { text: JSON.stringify({ name, action, ...VICTIM, ...(context === undefined ? {} : { context }) }) },
  });

afterAll(() => {
  console.log(`fuzz-webhook inputs tried: ${JSON.stringify(tried)}`);
});

// Sessions in memory, and in Redis: there the state goes through JSON.stringify and JSON.parse
// between requests, so own "__proto__" keys must survive that round trip as data too.
interface ClosableStore extends SessionStore {
  close(): Promise<void>;
}
let redis: RedisServer | undefined;
let RedisStore: (new (options: { url: string; prefix?: string; logger: Logger }) => ClosableStore) | undefined;
let prefixes = 0;
beforeAll(async () => {
  redis = await startRedis();
  // From the generated project: the store imports its siblings in src/taskchain/, which sit beside it there.
  const mod = (await import(pathToFileURL(path.join(await generatedProject(), "src/taskchain/redis-store.ts")).href)) as { RedisSessionStore: typeof RedisStore };
  RedisStore = mod.RedisSessionStore;
});
afterAll(async () => {
  await redis?.stop();
  if (generated) rmSync(dir, { recursive: true, force: true });
});

const STORES = ["memory", "redis"] as const;

/** A state as JSON with its top-level names sorted (fromEntries keeps an own `__proto__` as data). */
const byName = (state: Record<string, unknown>): string => JSON.stringify(Object.fromEntries(Object.entries(state).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
/** A chain on a store of that kind (a fresh key prefix per Redis one), and how to let it go. */
function chainOn(kind: (typeof STORES)[number]): { chain: Taskchain; done: () => Promise<void> } {
  if (kind === "memory") return { chain: app(), done: async () => undefined };
  const store = new RedisStore!({ url: redis!.url, prefix: `fuzz:${process.pid}:${prefixes++}:`, logger: consoleLogger });
  return { chain: app(store), done: () => store.close() };
}

describe("webhook fuzz, in process", () => {
  it("answers every hostile request with a JSON error or a valid response, never 5xx, never a rejection", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostile, { minLength: 1, maxLength: 6 }), async (requests) => {
        const chain = app();
        for (const h of requests) {
          count("in-process requests");
          const answer = await send(chain, h);
          expectWellFormed(answer.status, answer.body, answer.headers["content-type"]);
          const health = /^\/health\/?(\?|$)/.test(urlOf(h));
          if (!health && !carriesToken(h)) expect(answer.status, `${h.method} ${urlOf(h)} without the token`).toBe(401);
          if (answer.status === 200 && !health) expect(h.method.toUpperCase()).toBe("POST");
        }
        expectPrototypesClean();
      }),
      { numRuns: 200 },
    );
  });

  for (const kind of STORES) {
    it(`never changes another caller's key or state, whatever other callers send (sessions in ${kind})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(hostile, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 8 }), async (requests, at) => {
          const { chain, done } = chainOn(kind);
          try {
            // The victim is mid-call: alpha answered, its state holds the PIN.
            const first = JSON.parse((await victimCall(chain, "alpha", "initial")).body) as { key: string };
            const qualified = JSON.parse((await victimCall(chain, "alpha", "qualified", { pin: "4321" })).body) as { key: string; state: unknown };
            expect(qualified).toMatchObject({ key: first.key, state: { pin: "4321" } });
            // Other callers' requests, with the victim's probe interleaved at a random point.
            const probes: string[] = [];
            for (let i = 0; i <= requests.length; i++) {
              if (i === Math.min(at, requests.length)) probes.push((await victimCall(chain, "beta", "initial")).body);
              const h = requests[i];
              if (h) {
                count(`requests beside a victim (${kind})`);
                await send(chain, { ...h, auth: { header: `Bearer ${TOKEN}` } }); // authorised: they reach the sessions
              }
            }
            probes.push((await victimCall(chain, "beta", "initial")).body);
            for (const body of probes) {
              const probe = ResponseSchema.parse(JSON.parse(body));
              expect(probe.key).toBe(first.key);
              expect(JSON.parse(probe.content)).toEqual({ pin: "4321" });
            }
            expectPrototypesClean();
          } finally {
            await done();
          }
        }),
        { numRuns: kind === "memory" ? 120 : 60 },
      );
    });

    it(`merges state with own __proto__/constructor/prototype keys as plain data, never as a prototype (sessions in ${kind})`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.constantFrom(...POLLUTION_KEYS, "x"), fc.constantFrom('{"polluted":true}', '"s"', "1", "null", '{"prototype":{"polluted":1}}', '{"__proto__":{"isAdmin":true}}')), { minLength: 1, maxLength: 5 }),
          async (entries) => {
            count(`state merges (${kind})`);
            const { chain, done } = chainOn(kind);
            try {
              const caller = { call_from: "+15557777777", call_forwarded_by: "" };
              const post = (name: string, action: string, context?: unknown) =>
                chain.handle({
                  method: "POST",
                  url: `/${name}`,
                  authorization: `Bearer ${TOKEN}`,
                  body: { text: JSON.stringify({ name, action, call_from: caller.call_from, ...(context === undefined ? {} : { context }) }) },
                });
              await post("raw", "initial");
              // raw's handler parses this text and returns it (and a nested copy) as the state
              // update: own "__proto__" keys, as JSON.parse makes them, reach the merge.
              const json = objectText(entries);
              const merged = await post("raw", "disqualified", { json });
              expectWellFormed(merged.status, merged.body, merged.headers["content-type"]);
              const sent = (JSON.parse(merged.body) as { state: Record<string, unknown> }).state;
              expect(sent).toBeDefined();
              lastSeenState = undefined;
              await post("beta", "initial");
              const state = lastSeenState as Record<string, unknown> | undefined;
              // The session holds exactly the update as plain data: own keys, the ordinary prototype.
              expect(state).toBeDefined();
              expect(Object.getPrototypeOf(state)).toBe(Object.prototype);
              // Names in any order: a Redis hash keeps its fields unordered.
              expect(byName(state!)).toBe(byName(sent));
              const own = Object.keys(JSON.parse(json) as object);
              for (const key of own) expect(Object.hasOwn(state!, key), key).toBe(true);
              for (const p of ["polluted", "isAdmin"]) if (!Object.hasOwn(state!, p)) expect(state![p]).toBeUndefined();
              expectPrototypesClean();
            } finally {
              await done();
            }
          },
        ),
        { numRuns: kind === "memory" ? 150 : 60 },
      );
    });
  }

  it("logs one JSON line per event, whatever text the event carries", () => {
    const lines: unknown[][] = [];
    const spies = (["log", "warn", "error"] as const).map((method) => vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(args)));
    try {
      fc.assert(
        fc.property(fc.constantFrom("info", "warn", "error") as fc.Arbitrary<"info" | "warn" | "error">, hostileString, fc.dictionary(hostileKey.filter((k) => k !== "level" && k !== "message"), fc.oneof(hostileString, fc.integer())), (level, message, meta) => {
          lines.length = 0;
          count("log lines");
          consoleLogger[level](message, meta);
          // One call, one string, no line break: a forged "\n{"level":"info",…}" cannot start a line of its own.
          expect(lines).toHaveLength(1);
          const [line] = lines[0]!;
          expect(typeof line).toBe("string");
          expect(line as string).not.toMatch(/[\n\r]/);
          const parsed = JSON.parse(line as string) as Record<string, unknown>;
          expect(parsed.level).toBe(level);
          expect(parsed.message).toBe(message); // lone surrogates too: JSON.stringify escapes them
        }),
        { numRuns: 300 },
      );
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  // Inputs the properties above once drew, pinned as plain tests so every run tries them.
  it("answers a handler reply that cannot be serialised (cycle, BigInt, too deep) or a thrown non-Error with the apology", async () => {
    for (const how of ["null-proto", "bigint", "cycle", "deep", "null", "bad-action", "other"]) {
      const chain = app();
      const post = (action: string, context?: unknown) =>
        chain.handle({
          method: "POST",
          url: "/broken",
          authorization: `Bearer ${TOKEN}`,
          body: { text: JSON.stringify({ name: "broken", action, call_from: "+1", ...(context ? { context } : {}) }) },
        });
      const initial = await post("initial");
      expect(initial.status, how).toBe(200);
      const answer = await post("qualified", { how });
      expect(answer.status, `${how}: ${answer.body.slice(0, 200)}`).toBe(200);
      const response = ResponseSchema.parse(JSON.parse(answer.body));
      expect(response.content, how).toBe(APOLOGY);
      expect(response.state, how).toBeUndefined();
    }
  });

  it("asks again twice for unparseable context on a link named like an Object.prototype member", async () => {
    const chain = app();
    const post = (action: string, context?: unknown) =>
      chain.handle({
        method: "POST",
        url: "/constructor",
        authorization: `Bearer ${TOKEN}`,
        body: { text: JSON.stringify({ name: "constructor", action, call_from: "+1", ...(context ? { context } : {}) }) },
      });
    const contents: string[] = [];
    for (let i = 0; i < 3; i++) {
      await post("initial");
      contents.push(ResponseSchema.parse(JSON.parse((await post("qualified", { code: 5 })).body)).content);
    }
    expect(contents).toEqual([INVALID_CONTEXT_RETRY, INVALID_CONTEXT_RETRY, INVALID_CONTEXT_GIVE_UP]);
  });
});

// ---------------------------------------------------------------------------------------------
// Over real HTTP: the node adapter of a project generated inside the repo (zod resolves from the
// repo's node_modules, so no install).

let dir = "";
const HTTP_LINKS = ["pin_vetting", "constructor", "sms_vetting"];
let server: Server;
let target: HttpTarget;
const HTTP_TOKEN = "fuzz-http-token"; // header values are latin1 on the wire: keep this one ASCII

let generated: Promise<string> | undefined;
/** The project, generated once for this file (also where the Redis store above is loaded from). */
function generatedProject(): Promise<string> {
  generated ??= (async () => {
    dir = await generateInRepo(
      "fuzz-webhook",
      HTTP_LINKS.map((name) => ({
        name,
        prompt: `Prompt for ${name}`,
        parameters: { ...defaultParameters(), qualified: [{ name: "code", type: "string", description: "The code." }] },
      })),
      "redis",
    );
    return dir;
  })();
  return generated;
}

describe("webhook fuzz over HTTP (generated node project)", () => {
  beforeAll(async () => {
    await generatedProject();
    const { createNodeServer } = (await import(path.join(dir, "src/server.ts"))) as { createNodeServer: (app: Taskchain) => Server };
    const { createApp } = (await import(path.join(dir, "src/app.ts"))) as { createApp: (env: Record<string, string>) => Taskchain };
    server = createNodeServer(createApp({ TASKCHAIN_TOKEN: HTTP_TOKEN }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    target = new HttpTarget((server.address() as AddressInfo).port);
  });

  afterAll(async () => {
    target?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it("answers every hostile HTTP request with a JSON error or a valid response and keeps the victim's session", async () => {
    count("HTTP requests", await fuzzServer(target, { links: ["pin_vetting", "sms_vetting", "constructor"], token: HTTP_TOKEN, numRuns: 120 }));
  });

  it("survives malformed HTTP, unknown methods and bodies cut off mid-way", async () => {
    count("malformed HTTP", await fuzzMalformedHttp(target, "pin_vetting", 40));
  });
});

// The generated runtime's rules, tested on the template source itself (the one copy of it).
import { describe, expect, it, vi } from "vitest";
import * as z from "zod";
import {
  createTaskchain,
  defineLink,
  endCall,
  INVALID_CONTEXT_GIVE_UP,
  INVALID_CONTEXT_RETRY,
  MemorySessionStore,
  nextTask,
  ResponseSchema,
  say,
  silentLogger,
  SWITCH_WINDOW_MS,
  transferCall,
  type HttpAnswer,
  type Link,
  type Logger,
  type Answered,
  type Session,
  type SessionChange,
  type SessionStore,
  type TaskchainOptions,
  type TaskchainResponse,
} from "../../templates/base/src/taskchain/index.js";

const pin = defineLink({
  name: "pin_vetting",
  parameters: {
    qualified: z.object({
      pin: z.string().describe("The PIN the caller gave."),
      attempts: z.int().default(1).describe("How many tries it took."),
      channel: z.enum(["voice", "keypad"]).optional(),
    }),
    disqualified: z.object({ reason: z.string().describe("Reason for disqualification.") }),
    interrupt: z.object({ reason: z.string().describe("Reason for interruption.") }),
  },
  initial: ({ state }) => ({ content: `Ask for the PIN. Seen before: ${String(state.seen ?? "no")}` }),
  qualified: ({ context }) => ({
    content: `PIN ${context.pin} after ${context.attempts} attempts`,
    state: { pin: context.pin, seen: "yes" },
    actions: [nextTask()],
  }),
  disqualified: ({ context }) => ({ content: `No: ${context.reason}`, actions: [endCall()] }),
  interrupt: ({ context }) => ({ content: context ? `hung up: ${context.reason}` : "hung up silently" }),
});

const sms = defineLink({
  name: "sms_vetting",
  parameters: { qualified: z.object({}), disqualified: z.object({ reason: z.string() }) },
  initial: ({ state }) => ({ content: `Text the code. PIN so far: ${String(state.pin)}` }),
  qualified: ({ state }) => ({ content: `state pin ${String(state.pin)}`, actions: [say("done"), transferCall("+15551234567")] }),
  disqualified: () => ({ content: "again", actions: [{ name: "switch_task", context: { name: "pin_vetting" } }] }),
});

function setup(overrides: Partial<TaskchainOptions> = {}, links: Link[] = [pin, sms]) {
  return createTaskchain({ links, logger: silentLogger, ...overrides });
}

type App = ReturnType<typeof setup>;
const caller = { call_from: "+15129999999", call_forwarded_by: "+15128888888" };

async function call(app: App, body: unknown, init: { path?: string; method?: string; authorization?: string; contentEncoding?: string } = {}): Promise<{ status: number; json: Record<string, unknown>; answer: HttpAnswer }> {
  const answer = await app.handle({
    method: init.method ?? "POST",
    url: init.path ?? "/",
    authorization: init.authorization,
    contentEncoding: init.contentEncoding,
    body: body === undefined ? undefined : { text: typeof body === "string" ? body : JSON.stringify(body) },
  });
  return { status: answer.status, json: JSON.parse(answer.body) as Record<string, unknown>, answer };
}

async function ok(app: App, body: Record<string, unknown>, path?: string): Promise<TaskchainResponse> {
  const res = await call(app, body, path === undefined ? {} : { path });
  expect(res.status, res.answer.body).toBe(200);
  return ResponseSchema.parse(res.json);
}

describe("routing and errors", () => {
  it("serves POST /<link> and POST / by the payload's name", async () => {
    const app = setup();
    expect((await ok(app, { name: "pin_vetting", action: "initial", ...caller }, "/pin_vetting")).content).toMatch(/^Ask for the PIN/);
    expect((await ok(app, { name: "sms_vetting", action: "initial", ...caller }, "/")).content).toMatch(/^Text the code/);
  });

  it("answers GET /health with 200", async () => {
    const res = await call(setup(), undefined, { method: "GET", path: "/health" });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: "ok" });
  });

  it("answers a path/name disagreement with 400 naming the field", async () => {
    const res = await call(setup(), { name: "sms_vetting", action: "initial", ...caller }, { path: "/pin_vetting" });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: "name_mismatch", field: "name" });
  });

  it("answers unknown links and unknown paths with 404", async () => {
    expect((await call(setup(), { name: "nope", action: "initial", ...caller }, { path: "/nope" })).json).toMatchObject({ error: "unknown_link" });
    expect((await call(setup(), { name: "nope", action: "initial", ...caller })).status).toBe(404);
    expect((await call(setup(), { name: "nope", action: "initial", ...caller }, { path: "/a/b" })).status).toBe(404);
  });

  it("answers invalid JSON, an empty body and a schema failure with 400 and a clear JSON error", async () => {
    const app = setup();
    expect(await call(app, "{oops")).toMatchObject({ status: 400, json: { error: "invalid_json" } });
    expect(await call(app, "")).toMatchObject({ status: 400, json: { error: "invalid_json" } });
    const bad = await call(app, { name: "pin_vetting", action: "finished", ...caller });
    expect(bad).toMatchObject({ status: 400, json: { error: "invalid_payload", field: "action" } });
    expect(String(bad.json.message)).toMatch(/^action: /);
    expect(await call(app, { name: "pin_vetting", action: "initial", call_from: 5 })).toMatchObject({ status: 400, json: { field: "call_from" } });
    expect(await call(app, [1, 2])).toMatchObject({ status: 400, json: { error: "invalid_payload" } });
    expect(await call(app, { name: "pin_vetting", action: "qualified", ...caller, context: "x" })).toMatchObject({ status: 400, json: { field: "context" } });
  });

  it("answers other methods with 405 and an Allow header", async () => {
    const res = await call(setup(), undefined, { method: "GET", path: "/pin_vetting" });
    expect(res.status).toBe(405);
    expect(res.answer.headers.allow).toBe("POST");
    expect((await call(setup(), undefined, { method: "POST", path: "/health" })).status).toBe(405);
  });

  it("reads a body that starts with a UTF-8 byte order mark, as the frameworks' parsers do", async () => {
    const res = await call(setup(), `\uFEFF${JSON.stringify({ name: "pin_vetting", action: "initial", ...caller })}`);
    expect(res.status, res.answer.body).toBe(200);
    expect(await call(setup(), "\uFEFF{oops")).toMatchObject({ status: 400, json: { error: "invalid_json" } });
    // Only one is dropped: a body of byte order marks is bad JSON, not a recursion past the stack (a 500).
    expect(await call(setup(), `${"\uFEFF".repeat(400_000)}{}`)).toMatchObject({ status: 400, json: { error: "invalid_json" } });
  });

  it("refuses a compressed body with 415, after the token, and takes identity", async () => {
    const app = setup({ token: "t" });
    const body = { name: "pin_vetting", action: "initial", ...caller };
    const gzip = await call(app, body, { path: "/pin_vetting", authorization: "Bearer t", contentEncoding: "gzip" });
    expect(gzip).toMatchObject({ status: 415, json: { error: "unsupported_encoding" } });
    expect(gzip.answer.headers["accept-encoding"]).toBe("identity");
    expect((await call(app, body, { path: "/pin_vetting", authorization: "Bearer t", contentEncoding: "gzip, identity" })).status).toBe(415);
    expect((await call(app, body, { path: "/pin_vetting", contentEncoding: "gzip" })).status).toBe(401);
    expect((await call(app, body, { path: "/pin_vetting", authorization: "Bearer t", contentEncoding: "Identity" })).status).toBe(200);
    expect((await call(app, body, { path: "/pin_vetting", authorization: "Bearer t", contentEncoding: "" })).status).toBe(200);
    // gate() says the same before a body is read (the adapters' early answer).
    expect((await app.gate({ method: "POST", url: "/pin_vetting", authorization: "Bearer t", contentEncoding: "br" }))?.status).toBe(415);
    expect((await app.gate({ method: "GET", url: "/health", contentEncoding: "gzip" }))?.status).toBe(200);
  });

  it("accepts JSON a framework already parsed", async () => {
    const app = setup();
    const answer = await app.handle({ method: "POST", url: "/", body: { json: { name: "pin_vetting", action: "initial", ...caller } } });
    expect(answer.status).toBe(200);
  });

  it("refuses duplicate or invalid link names at start-up", () => {
    expect(() => setup({}, [pin, pin])).toThrow(/twice/);
    expect(() => setup({}, [{ ...pin, name: "Bad-Name" }])).toThrow(/not a valid/);
  });
});

describe("auth", () => {
  const token = "s3cret-token";
  it("needs Authorization: Bearer or ?token= on every route but /health", async () => {
    const app = setup({ token });
    const body = { name: "pin_vetting", action: "initial", ...caller };
    expect((await call(app, body, { path: "/pin_vetting" })).status).toBe(401);
    expect((await call(app, body, { path: "/pin_vetting", authorization: "Bearer wrong" })).status).toBe(401);
    expect((await call(app, body, { path: "/pin_vetting?token=s3cret-toke" })).status).toBe(401);
    expect((await call(app, body, { path: "/pin_vetting", authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await call(app, body, { path: `/pin_vetting?token=${token}` })).status).toBe(200);
    expect((await call(app, body, { path: `/?x=1&token=${token}` })).status).toBe(200);
    expect((await call(app, undefined, { method: "GET", path: "/health" })).status).toBe(200);
    // Unauthenticated probes learn nothing about which links exist.
    expect((await call(app, body, { path: "/no_such" })).status).toBe(401);
  });

  it("is off when no token is configured", async () => {
    expect((await call(setup({ token: "" }), { name: "pin_vetting", action: "initial", ...caller })).status).toBe(200);
  });
});

describe("parameters", () => {
  it("sends each block on initial as exactly {properties, required}, descriptions included", async () => {
    const response = await ok(setup(), { name: "pin_vetting", action: "initial", ...caller });
    expect(response.qualified_parameters).toEqual({
      properties: {
        pin: { type: "string", description: "The PIN the caller gave." },
        attempts: { type: "integer", description: "How many tries it took.", default: 1 },
        channel: { type: "string", enum: ["voice", "keypad"] },
      },
      required: ["pin"],
    });
    expect(response.disqualified_parameters).toEqual({ properties: { reason: { type: "string", description: "Reason for disqualification." } }, required: ["reason"] });
    expect(response.interrupt_parameters).toEqual({ properties: { reason: { type: "string", description: "Reason for interruption." } }, required: ["reason"] });
    expect(Object.keys(response.qualified_parameters!)).toEqual(["properties", "required"]);
  });

  it("omits a block the link does not declare", async () => {
    const response = await ok(setup(), { name: "sms_vetting", action: "initial", ...caller });
    expect(response.qualified_parameters).toEqual({ properties: {}, required: [] });
    expect(response).not.toHaveProperty("interrupt_parameters");
  });

  it("never sends parameter blocks outside initial", async () => {
    const app = setup();
    await ok(app, { name: "pin_vetting", action: "initial", ...caller });
    for (const [action, context] of [
      ["disqualified", { reason: "no" }],
      ["interrupt", { reason: "gone" }],
    ] as const) {
      const c = { ...caller, call_from: `+1${action}` };
      await ok(app, { name: "pin_vetting", action: "initial", ...c });
      const response = await ok(app, { name: "pin_vetting", action, ...c, context });
      for (const key of ["qualified_parameters", "disqualified_parameters", "interrupt_parameters"]) expect(response).not.toHaveProperty(key);
    }
  });
});

describe("sessions", () => {
  it("keeps one UUID key for a caller across webhook calls and links, another for another caller", async () => {
    const app = setup();
    const a = await ok(app, { name: "pin_vetting", action: "initial", ...caller });
    const b = await ok(app, { name: "pin_vetting", action: "qualified", ...caller, context: { pin: "1234" } });
    const c = await ok(app, { name: "sms_vetting", action: "initial", ...caller });
    expect(a.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.key).toBe(a.key);
    expect(c.key).toBe(a.key);
    const other = await ok(app, { name: "pin_vetting", action: "initial", ...caller, call_forwarded_by: "+15127777777" });
    expect(other.key).not.toBe(a.key);
  });

  it("merges state across links and sends only the update", async () => {
    const app = setup();
    await ok(app, { name: "pin_vetting", action: "initial", ...caller });
    const q = await ok(app, { name: "pin_vetting", action: "qualified", ...caller, context: { pin: "4321" } });
    expect(q.state).toEqual({ pin: "4321", seen: "yes" });
    const next = await ok(app, { name: "sms_vetting", action: "initial", ...caller });
    expect(next.content).toBe("Text the code. PIN so far: 4321");
    expect(next).not.toHaveProperty("state");
  });

  it.each([
    ["interrupt", "pin_vetting", { reason: "gone" }],
    ["disqualified (end_call)", "pin_vetting", { reason: "wrong pin" }],
    ["qualified (transfer_call)", "sms_vetting", {}],
  ] as const)("ends the call's session on %s", async (label, link, context) => {
    const app = setup();
    const action = label.split(" ")[0]!;
    const first = await ok(app, { name: link, action: "initial", ...caller });
    await ok(app, { name: link, action, ...caller, context });
    const next = await ok(app, { name: link, action: "initial", ...caller });
    expect(next.key).not.toBe(first.key);
  });

  it("ends the session when the last link moves on (the chain is done), and not when an earlier one does", async () => {
    const last = defineLink({ ...sms, qualified: () => ({ content: "All done.", actions: [nextTask()] }) });
    const app = setup({}, [pin, last]);
    const first = await ok(app, { name: "pin_vetting", action: "initial", ...caller });
    await ok(app, { name: "pin_vetting", action: "qualified", ...caller, context: { pin: "1234" } });
    expect((await ok(app, { name: "sms_vetting", action: "initial", ...caller })).key).toBe(first.key);
    await ok(app, { name: "sms_vetting", action: "qualified", ...caller });
    const again = await ok(app, { name: "pin_vetting", action: "initial", ...caller });
    expect(again.key).not.toBe(first.key);
    expect((await ok(app, { name: "sms_vetting", action: "initial", ...caller })).content).toBe("Text the code. PIN so far: undefined");
  });

  it("ends the session on interrupt even when the reply moves on", async () => {
    const stubborn = defineLink({ ...pin, interrupt: () => ({ content: "", actions: [nextTask()] }) });
    const app = setup({}, [stubborn, sms]);
    const first = await ok(app, { name: "pin_vetting", action: "initial", ...caller });
    await ok(app, { name: "pin_vetting", action: "interrupt", ...caller });
    expect((await ok(app, { name: "pin_vetting", action: "initial", ...caller })).key).not.toBe(first.key);
  });

  it("ends the session after an idle TTL", async () => {
    let now = 1_000_000;
    const app = setup({ store: new MemorySessionStore({ now: () => now }), sessionTtlMs: 60_000 });
    const first = await ok(app, { name: "pin_vetting", action: "initial", ...caller });
    // Probed with other deliveries than the first link's initial, which starts a call of its own.
    now += 59_000;
    expect((await ok(app, { name: "pin_vetting", action: "qualified", ...caller, context: { pin: "1" } })).key).toBe(first.key);
    now += 59_000; // idle TTL restarts on every call
    expect((await ok(app, { name: "sms_vetting", action: "initial", ...caller })).key).toBe(first.key);
    now += 60_001;
    expect((await ok(app, { name: "sms_vetting", action: "initial", ...caller })).key).not.toBe(first.key);
  });

  it("bounds memory: past maxSessions the least recently used session is evicted", async () => {
    const store = new MemorySessionStore({ maxSessions: 2 });
    const app = setup({ store });
    // The second link's initial: the first link's starts a call of its own.
    const keyOf = async (from: string) => (await ok(app, { name: "sms_vetting", action: "initial", call_from: from, call_forwarded_by: "" })).key;
    const a = await keyOf("+1a");
    const b = await keyOf("+1b");
    expect(await keyOf("+1a")).toBe(a); // a is now the most recent
    await keyOf("+1c"); // evicts b
    expect(store.size).toBe(2);
    expect(await keyOf("+1a")).toBe(a);
    expect(await keyOf("+1b")).not.toBe(b);
  });

  it("bounds memory by size too: a call whose state grows past maxBytes evicts the least recently used", async () => {
    const store = new MemorySessionStore({ maxBytes: 50_000 });
    const big = defineLink({ ...pin, qualified: ({ context }) => ({ content: "", state: { blob: context.pin }, actions: [nextTask()] }) });
    const app = setup({ store }, [big, sms]);
    const from = (n: number) => ({ call_from: `+1555000${n}`, call_forwarded_by: "" });
    const keys: string[] = [];
    for (let n = 0; n < 3; n++) keys.push((await ok(app, { name: "pin_vetting", action: "initial", ...from(n) })).key);
    expect(store.size).toBe(3);
    const small = store.bytes;
    // Caller 2's session grows by 30 kB (15 kB of state, and its last delivery, kept to spot a
    // duplicate), then caller 1's: together over the cap, so caller 0 (least recent) goes, then 2.
    await ok(app, { name: "pin_vetting", action: "qualified", ...from(2), context: { pin: "x".repeat(15_000) } });
    expect(store.bytes).toBeGreaterThan(small + 30_000);
    expect(store.size).toBe(3);
    await ok(app, { name: "pin_vetting", action: "qualified", ...from(1), context: { pin: "y".repeat(15_000) } });
    expect(store.bytes).toBeLessThanOrEqual(50_000);
    expect((await ok(app, { name: "sms_vetting", action: "initial", ...from(1) })).key).toBe(keys[1]);
    expect((await ok(app, { name: "sms_vetting", action: "initial", ...from(2) })).key).not.toBe(keys[2]);
    expect((await ok(app, { name: "sms_vetting", action: "initial", ...from(0) })).key).not.toBe(keys[0]);
    // Ending a call gives its share back.
    const before = store.bytes;
    await ok(app, { name: "pin_vetting", action: "interrupt", ...from(1) });
    expect(store.bytes).toBeLessThan(before - 15_000);
  });

  it("keeps the least-recently-used order when calls interleave between open and save", async () => {
    let now = 0;
    const store = new MemorySessionStore({ maxSessions: 2, now: () => now });
    const fresh = (key: string) => () => ({ key, state: {}, retries: {} });
    const a = await store.open("a", fresh("a1"), 1_000);
    await store.open("b", fresh("b1"), 1_000);
    // save(a) after b was touched: a must move behind b (it is the most recent now), state kept.
    await store.save("a", a.key, { state: { step: 1 } }, 1_000);
    await store.open("c", fresh("c1"), 1_000); // evicts b, the least recently used
    expect((await store.open("a", fresh("a2"), 1_000)).state).toEqual({ step: 1 });
    expect((await store.open("b", fresh("b2"), 1_000)).key).toBe("b2");
    // save right after its own open (updated in place) restarts the idle TTL all the same.
    const c = await store.open("c", fresh("c2"), 1_000);
    now += 900;
    await store.save("c", c.key, {}, 1_000);
    now += 900;
    expect((await store.open("c", fresh("c3"), 1_000)).key).toBe(c.key);
    // An ended session is gone even if it was the last one touched.
    await store.end("c");
    await store.save("a", "a1", {}, 1_000);
    expect((await store.open("c", fresh("c4"), 1_000)).key).toBe("c4");
  });

  it("ends the chain when an outcome answer neither moves on nor switches", async () => {
    const last = defineLink({
      name: "wrap_up",
      parameters: {},
      initial: () => ({ content: "Say goodbye." }),
      qualified: () => ({ content: "Bye." }),
      disqualified: () => ({ content: "Bye." }),
    });
    const app = setup({}, [last]);
    const first = await ok(app, { name: "wrap_up", action: "initial", ...caller });
    await ok(app, { name: "wrap_up", action: "qualified", ...caller, context: {} });
    expect((await ok(app, { name: "wrap_up", action: "initial", ...caller })).key).not.toBe(first.key);
  });

  it("saves what a webhook call changed, not the session it read: the state update, once() results and retries it added, its answer", async () => {
    const inner = new MemorySessionStore();
    const saved: SessionChange[] = [];
    const store: SessionStore = {
      open: (id, fresh, ttl) => inner.open(id, fresh, ttl),
      save: (id, key, change, ttl) => (saved.push(change), inner.save(id, key, change, ttl)),
      end: (id, key, keep) => inner.end(id, key, keep),
    };
    const texting = defineLink({
      ...sms,
      initial: async ({ once }) => ({ content: `code ${await once("code", () => 42)}` }),
    });
    const app = setup({ store }, [pin, texting]);
    await ok(app, { name: "pin_vetting", action: "initial", ...caller });
    await ok(app, { name: "pin_vetting", action: "qualified", ...caller, context: { pin: "1" } });
    await ok(app, { name: "sms_vetting", action: "initial", ...caller });
    await ok(app, { name: "sms_vetting", action: "disqualified", ...caller, context: {} }); // no reason: asked again
    expect(saved.map(({ last, ...change }) => ({ ...change, answered: last?.of.split("\n").slice(0, 2).join(" ") }))).toEqual([
      { answered: "pin_vetting initial" },
      { state: { pin: "1", seen: "yes" }, answered: "pin_vetting qualified" },
      { once: { code: 42 }, answered: "sms_vetting initial" },
      { retries: { sms_vetting: 1 }, answered: "sms_vetting disqualified" },
    ]);
  });

  it("gives concurrent webhook calls of one caller one key, and keeps both of their state updates", async () => {
    const slow = defineLink({
      ...pin,
      // Each answer waits a little so the two calls overlap between open and save.
      qualified: async ({ context }) => {
        await new Promise((r) => setTimeout(r, 5));
        return { content: "", state: { [`pin_${context.pin}`]: true }, actions: [nextTask()] };
      },
    });
    const probe = defineLink({
      name: "probe",
      parameters: {},
      initial: ({ state }) => ({ content: JSON.stringify(state) }),
      qualified: () => ({ content: "" }),
      disqualified: () => ({ content: "" }),
    });
    const app = setup({}, [slow, probe]);
    const who = { call_from: "+15125550177", call_forwarded_by: "" };
    const [a, b] = await Promise.all([ok(app, { name: "pin_vetting", action: "initial", ...who }), ok(app, { name: "probe", action: "initial", ...who })]);
    expect(b.key).toBe(a.key);
    await Promise.all([
      ok(app, { name: "pin_vetting", action: "qualified", ...who, context: { pin: "1" } }),
      ok(app, { name: "pin_vetting", action: "qualified", ...who, context: { pin: "2" } }),
    ]);
    const after = await ok(app, { name: "probe", action: "initial", ...who });
    expect(after.key).toBe(a.key);
    expect(JSON.parse(after.content)).toEqual({ pin_1: true, pin_2: true });
  });

  it("takes a null call_forwarded_by as no forwarding number", async () => {
    const app = setup();
    const direct = { call_from: "+15125550123" };
    const a = await ok(app, { name: "pin_vetting", action: "initial", ...direct, call_forwarded_by: null });
    expect((await ok(app, { name: "sms_vetting", action: "initial", ...direct })).key).toBe(a.key);
    expect((await ok(app, { name: "pin_vetting", action: "qualified", ...direct, call_forwarded_by: "", context: { pin: "1" } })).key).toBe(a.key);
  });

  it("keeps state of different callers apart, and __proto__ keys pollute nothing", async () => {
    const app = setup();
    const evil = { ...caller, call_from: "+1evil" };
    await ok(app, { name: "pin_vetting", action: "initial", ...evil });
    const raw = `{"name":"pin_vetting","action":"qualified","call_from":"+1evil","call_forwarded_by":"+15128888888","context":{"pin":"1","__proto__":{"polluted":true}}}`;
    const res = await call(app, raw);
    expect(res.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const next = await ok(app, { name: "sms_vetting", action: "initial", ...caller });
    expect(next.content).toBe("Text the code. PIN so far: undefined");
  });
});

describe("context", () => {
  it("hands the outcome handler context parsed by the link's schema (defaults applied)", async () => {
    const app = setup();
    await ok(app, { name: "pin_vetting", action: "initial", ...caller });
    const response = await ok(app, { name: "pin_vetting", action: "qualified", ...caller, context: { pin: "9" } });
    expect(response.content).toBe("PIN 9 after 1 attempts");
  });

  it("answers unparseable context with the documented fallback: ask again twice, then end politely", async () => {
    const app = setup();
    // Agent4 follows the switch_task back to the link: its initial, then the outcome again.
    const send = async () => (await ok(app, { name: "pin_vetting", action: "initial", ...caller }), ok(app, { name: "pin_vetting", action: "qualified", ...caller, context: { pin: 42 } }));
    for (let i = 0; i < 2; i++) {
      const retry = await send();
      expect(retry.content).toBe(INVALID_CONTEXT_RETRY);
      expect(retry.actions).toEqual([{ name: "switch_task", context: { name: "pin_vetting" } }]);
    }
    const giveUp = await send();
    expect(giveUp.content).toBe(INVALID_CONTEXT_GIVE_UP);
    expect(giveUp.actions).toEqual([{ name: "end_call" }]);
  });

  it("counts retries per link for links named like Object.prototype members (constructor, tostring)", async () => {
    const links = ["constructor", "tostring", "hasownproperty", "valueof"].map((name) => defineLink({ ...pin, name }));
    const app = setup({}, links);
    for (const { name } of links) {
      const who = { call_from: `+1${name}`, call_forwarded_by: "" };
      const send = async () => (await ok(app, { name, action: "initial", ...who }), ok(app, { name, action: "qualified", ...who, context: { pin: 42 } }));
      expect((await send()).content, name).toBe(INVALID_CONTEXT_RETRY);
      expect((await send()).content, name).toBe(INVALID_CONTEXT_RETRY);
      expect((await send()).content, name).toBe(INVALID_CONTEXT_GIVE_UP);
      const res = await ok(app, { name, action: "initial", ...who });
      expect(res.content, name).toMatch(/^Ask for the PIN/);
    }
  });

  it("lets a link decide itself with invalidContext", async () => {
    const custom = defineLink({
      ...pin,
      invalidContext: ({ problem, attempt, action }) => ({ content: `${action} #${attempt}: ${problem}`, actions: [nextTask()] }),
    });
    const app = setup({}, [custom, sms]);
    const response = await ok(app, { name: "pin_vetting", action: "qualified", ...caller, context: {} });
    expect(response.content).toBe("qualified #0: pin: Invalid input: expected string, received undefined");
  });

  it("accepts interrupt with context, without it, and with context that does not parse", async () => {
    const app = setup();
    const send = async (context?: unknown) => {
      const c = { ...caller, call_from: `+1${Math.random()}` };
      return (await ok(app, { name: "pin_vetting", action: "interrupt", ...c, ...(context === undefined ? {} : { context }) })).content;
    };
    expect(await send({ reason: "dropped" })).toBe("hung up: dropped");
    expect(await send()).toBe("hung up silently");
    expect(await send({ reason: 7 })).toBe("hung up silently");
  });
});

describe("handler failures", () => {
  function failing(reply: () => unknown) {
    return defineLink({
      name: "flaky",
      parameters: {},
      initial: reply as never,
      qualified: reply as never,
      disqualified: reply as never,
    });
  }

  it("answers a throwing handler with a valid apology, logs it, and leaks no stack trace", async () => {
    const logger: Logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const app = setup({ logger, apology: "Sorry about that." }, [
      failing(() => {
        throw new Error("db down at /srv/app/secret.ts:12");
      }),
    ]);
    const res = await call(app, { name: "flaky", action: "qualified", ...caller, context: {} });
    expect(res.status).toBe(200);
    expect(ResponseSchema.parse(res.json).content).toBe("Sorry about that.");
    expect(res.answer.body).not.toMatch(/secret|db down|at /);
    expect(logger.error).toHaveBeenCalledWith(expect.stringMatching(/failed/), expect.objectContaining({ link: "flaky", error: expect.stringContaining("db down") }));
  });

  it("answers the apology whatever was thrown: a revoked Proxy, an Error whose stack cannot be read", async () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const unreadable = new Error("no stack");
    Object.defineProperty(unreadable, "stack", {
      get() {
        throw new Error("stack getter");
      },
    });
    for (const thrown of [proxy, unreadable]) {
      const logger: Logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
      const app = setup({ logger, apology: "Sorry about that." }, [failing(() => Promise.reject(thrown))]);
      const res = await call(app, { name: "flaky", action: "qualified", ...caller, context: {} });
      expect(res.status, res.answer.body).toBe(200);
      expect(ResponseSchema.parse(res.json).content).toBe("Sorry about that.");
      expect(logger.error).toHaveBeenCalledWith(expect.stringMatching(/failed/), expect.objectContaining({ link: "flaky", outcome: "failed" }));
    }
  });

  it("asks an outcome again after its handler failed, in the same call, and ends politely the third time", async () => {
    const broken = defineLink({ ...pin, qualified: () => Promise.reject(new Error("down")) });
    const app = setup({ apology: "Sorry." }, [broken, sms]);
    const qualified = (pin: string) => ok(app, { name: "pin_vetting", action: "qualified", ...caller, context: { pin } });
    const first = await ok(app, { name: "pin_vetting", action: "initial", ...caller });
    for (const pin of ["1", "2"]) {
      expect(await qualified(pin)).toEqual({ key: first.key, content: "Sorry.", actions: [{ name: "switch_task", context: { name: "pin_vetting" } }] });
      expect((await ok(app, { name: "pin_vetting", action: "initial", ...caller })).key).toBe(first.key);
    }
    expect(await qualified("3")).toEqual({ key: first.key, content: INVALID_CONTEXT_GIVE_UP, actions: [{ name: "end_call" }] });
  });

  it("treats a reply that breaks the protocol as a failure: bad action shape, unknown switch target", async () => {
    for (const reply of [
      () => ({ content: "x", actions: [{ name: "sms" }] }),
      () => ({ content: "x", actions: [{ name: "switch_task", context: { name: "elsewhere" } }] }),
      () => ({ content: 5 }),
    ]) {
      const app = setup({ apology: "Sorry." }, [failing(reply)]);
      const res = await ok(app, { name: "flaky", action: "initial", ...caller });
      expect(res.content).toBe("Sorry.");
      expect(res).not.toHaveProperty("actions");
    }
  });

  it("keeps the parameter blocks on an initial apology, so Agent4 can still collect", async () => {
    const broken = defineLink({ ...pin, initial: () => Promise.reject(new Error("boom")) });
    const response = await ok(setup({}, [broken]), { name: "pin_vetting", action: "initial", ...caller });
    expect(response.qualified_parameters?.required).toEqual(["pin"]);
  });
});

describe("session store failures", () => {
  /** A store that works until told which operation to fail. */
  function flakyStore(failing: "open" | "save" | "end" | undefined) {
    const inner = new MemorySessionStore();
    const store: SessionStore & { failing: typeof failing } = {
      failing,
      open(id: string, fresh: () => Session, ttl: number) {
        return store.failing === "open" ? Promise.reject(new Error("ECONNREFUSED redis:6379")) : inner.open(id, fresh, ttl);
      },
      save(id: string, key: string, change: SessionChange, ttl: number) {
        return store.failing === "save" ? Promise.reject(new Error("ECONNREFUSED redis:6379")) : inner.save(id, key, change, ttl);
      },
      end(id: string, key?: string, keep?: { last: Answered; ttlMs: number }) {
        return store.failing === "end" ? Promise.reject(new Error("ECONNREFUSED redis:6379")) : inner.end(id, key, keep);
      },
    };
    return store;
  }

  it("answers with the apology when the session cannot be opened, without running the handler", async () => {
    const logger: Logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const qualified = vi.fn(() => ({ content: "ran", actions: [nextTask()] }));
    const app = setup({ store: flakyStore("open"), logger, apology: "Sorry, one moment." }, [defineLink({ ...pin, qualified }), sms]);
    const initial = await call(app, { name: "pin_vetting", action: "initial", ...caller });
    expect(initial.status).toBe(200);
    const response = ResponseSchema.parse(initial.json);
    expect(response.content).toBe("Sorry, one moment.");
    expect(response.qualified_parameters?.required).toEqual(["pin"]); // still an initial answer
    const outcome = await ok(app, { name: "pin_vetting", action: "qualified", ...caller, context: { pin: "1" } });
    expect(outcome.content).toBe("Sorry, one moment.");
    expect(outcome).not.toHaveProperty("qualified_parameters");
    expect(qualified).not.toHaveBeenCalled();
    expect(logger.error).toHaveBeenCalledWith(expect.stringMatching(/session store failed/), expect.objectContaining({ error: expect.stringContaining("ECONNREFUSED") }));
    expect(initial.answer.body).not.toMatch(/ECONNREFUSED/);
  });

  it("still sends the handler's answer when saving or ending the session fails, and logs it", async () => {
    // An outcome that ends the call keeps its last answer for the duplicate window (an end that
    // keeps it); without a window it is ended all the same.
    for (const [failing, link, action, context, expected, logged, duplicateWindowMs] of [
      ["save", "pin_vetting", "qualified", { pin: "7" }, "PIN 7 after 1 attempts", "save", undefined],
      ["end", "pin_vetting", "disqualified", { reason: "no" }, "No: no", "end", undefined],
      ["end", "pin_vetting", "disqualified", { reason: "no" }, "No: no", "end", 0],
    ] as const) {
      const logger: Logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
      const store = flakyStore(undefined);
      const app = setup({ store, logger, duplicateWindowMs });
      const first = await ok(app, { name: link, action: "initial", ...caller });
      store.failing = failing;
      const res = await ok(app, { name: link, action, ...caller, context });
      expect(res.content).toBe(expected);
      expect(res.key).toBe(first.key);
      expect(logger.error).toHaveBeenCalledWith(expect.stringMatching(new RegExp(`failed to ${logged}`)), expect.objectContaining({ link }));
    }
  });
});

describe("the reference page", () => {
  it("accepts the reference's example response verbatim", () => {
    const example = {
      key: "6B29FC40-CA47-1067-B31D-00DD010662DA",
      content: "PROMPT OR RESPONSE",
      actions: [
        { name: "next_task" },
        { name: "switch_task", context: { name: "link2" } },
        { name: "sms", context: { message: "Text message" } },
        { name: "transfer_call", context: { number: "+15129999999" } },
        { name: "end_call" },
        { name: "say", context: { content: "some text" } },
        { name: "email", context: { email: "send@email.com" } },
        { name: "set_trigger", context: { trigger: "trigger condition" } },
      ],
      state: { global_variable: "value" },
      additional_call_notifications: [{ email: "send@email.com" }, { webhook: { host: "https://www.example.com/", headers: { Authorization: "Token 1234" } } }],
      qualified_parameters: { properties: { timeslot: { type: "string", description: "The timeslot selected by the user." } }, required: ["timeslot"] },
      disqualified_parameters: { properties: { reason: { type: "string", description: "Reason for disqualification." } }, required: ["reason"] },
      interrupt_parameters: { properties: { reason: { type: "string", description: "Reason for interruption." } }, required: ["reason"] },
    };
    expect(ResponseSchema.safeParse(example).success).toBe(true);
    const broken = { ...example, qualified_parameters: { properties: {}, required: ["timeslot"] } };
    expect(ResponseSchema.safeParse(broken).success).toBe(false);
  });

  it("answers the reference's example payload with a response that validates", async () => {
    const first = defineLink({ ...pin, name: "first_link" });
    const res = await ok(setup({}, [first]), { name: "first_link", action: "initial", call_from: "+15129999999", call_forwarded_by: "+15128888888", context: { key: "value" } });
    expect(res.qualified_parameters).toBeDefined();
  });
});

describe("replies of a spoken text alone", () => {
  it("are sent as they are under a well-formed key, and judged by the schema under any other", async () => {
    const logger: Logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const good = await call(setup({ logger }), { name: "sms_vetting", action: "initial", ...caller });
    expect(ResponseSchema.parse(good.json).content).toMatch(/^Text the code/);
    expect(logger.error).not.toHaveBeenCalled();

    // A store that hands back a session under a key that is no UUID: the reply is not valid as it is.
    const badKey: SessionStore = {
      open: async () => ({ key: "not-a-uuid", state: {}, retries: {} }),
      save: async () => undefined,
      end: async () => undefined,
    };
    const bad = await call(setup({ logger, store: badKey, apology: "Sorry." }), { name: "sms_vetting", action: "initial", ...caller });
    expect(bad.status).toBe(200);
    expect(bad.json.content).toBe("Sorry.");
    expect(logger.error).toHaveBeenCalledWith(expect.stringMatching(/failed/), expect.objectContaining({ error: expect.stringMatching(/invalid reply: key/) }));
  });
});

describe("call boundaries", () => {
  const PUBLIC = "https://hooks.example.com/";
  const initial = { name: "pin_vetting", action: "initial", ...caller };

  /** The call-ended notification an answer carries, as the request Agent4 would send. */
  function notification(response: TaskchainResponse) {
    const webhooks = (response.additional_call_notifications ?? []).flatMap((n) => ("webhook" in n ? [n.webhook] : []));
    const ended = webhooks.find((w) => w.host === `https://hooks.example.com/calls/${response.key}/ended`);
    expect(ended, JSON.stringify(response.additional_call_notifications)).toBeDefined();
    return { url: `/calls/${response.key}/ended`, caller: ended!.headers?.["x-taskchain-caller"] };
  }

  it("ends the session on every call-ending answer, and keeps it while the chain goes on", async () => {
    const reply = (actions: ReturnType<typeof nextTask>[]) => ({ content: "", actions });
    const links = (qualified: () => ReturnType<typeof reply>, initialReply?: ReturnType<typeof reply>) => [
      defineLink({ ...pin, qualified, ...(initialReply ? { initial: () => initialReply } : {}) }),
      sms,
    ];
    const cases: Array<[string, Link[], string, boolean]> = [
      ["end_call", links(() => reply([endCall()])), "qualified", true],
      ["transfer_call", links(() => reply([transferCall("+15550000000")])), "qualified", true],
      ["say alone", links(() => reply([say("bye")])), "qualified", true],
      ["end_call on initial", links(() => reply([nextTask()]), reply([endCall()])), "initial", true],
      ["transfer_call on initial", links(() => reply([nextTask()]), reply([transferCall("+15550000000")])), "initial", true],
      ["next_task on a link before the last", links(() => reply([nextTask()])), "qualified", false],
      ["switch_task", links(() => reply([{ name: "switch_task", context: { name: "sms_vetting" } }])), "qualified", false],
      ["next_task with switch_task", links(() => reply([nextTask(), { name: "switch_task", context: { name: "sms_vetting" } }])), "qualified", false],
    ];
    // The probe is the second link's initial: the first link's starts a call of its own (below).
    for (const [what, chain, action, ends] of cases) {
      const app = setup({}, chain);
      const first = await ok(app, initial);
      if (action !== "initial") await ok(app, { ...initial, action, context: { pin: "1" } });
      const next = await ok(app, { name: "sms_vetting", action: "initial", ...caller });
      expect(next.key !== first.key, what).toBe(ends);
    }
    // The last link moving on on its initial answer finishes the chain as well.
    const skipping = defineLink({ ...sms, initial: () => ({ content: "", actions: [nextTask()] }) });
    const app = setup({}, [pin, skipping]);
    const first = await ok(app, initial);
    await ok(app, { name: "sms_vetting", action: "initial", ...caller });
    expect((await ok(app, initial)).key).not.toBe(first.key);
  });

  it("adds the call-ended notification after the handler's own, with the caller line and never the token", async () => {
    const own = { webhook: { host: "https://crm.example.com/hook", headers: { "x-crm": "1" } } };
    const noisy = defineLink({ ...pin, initial: () => ({ content: "Ask.", additional_call_notifications: [{ email: "ops@example.com" }, own] }) });
    const app = setup({ publicUrl: PUBLIC, token: "t" }, [noisy, sms]);
    const res = await call(app, initial, { authorization: "Bearer t" });
    const response = ResponseSchema.parse(res.json);
    expect(response.additional_call_notifications?.slice(0, 2)).toEqual([{ email: "ops@example.com" }, own]);
    expect(notification(response)).toEqual({ url: `/calls/${response.key}/ended`, caller: encodeURIComponent("12:+15129999999:+15128888888") });
    expect(res.answer.body).not.toContain("Bearer");
    // Off: no notification at all; the answer of a spoken text alone stays as it was.
    expect((await ok(setup(), initial)).additional_call_notifications).toBeUndefined();
  });

  it("ends the call on the notification: any method and body, idempotent, never the same caller's next call", async () => {
    const app = setup({ publicUrl: PUBLIC });
    const call1 = await ok(app, initial);
    await ok(app, { ...initial, action: "qualified", context: { pin: "1" } });
    const ended = notification(await ok(app, { name: "sms_vetting", action: "initial", ...caller }));
    for (const method of ["POST", "GET", "PUT", "DELETE"]) {
      const answer = await app.handle({ method, url: ended.url, caller: ended.caller, body: { text: "not json at all" } });
      expect(answer.status, method).toBe(200);
    }
    const call2 = await ok(app, initial);
    expect(call2.key).not.toBe(call1.key);
    expect((await ok(app, { name: "sms_vetting", action: "initial", ...caller })).content).toBe("Text the code. PIN so far: undefined");
    // Call 1's notification again, late: call 2 goes on.
    const sms = { name: "sms_vetting", action: "initial", ...caller };
    expect((await app.handle({ method: "POST", url: ended.url, caller: ended.caller })).status).toBe(200);
    expect((await ok(app, sms)).key).toBe(call2.key);
    // The gate answers it too, before a body is read; a caller header that is not ours ends nothing.
    expect((await app.gate({ method: "POST", url: `/calls/${call2.key}/ended`, caller: "%E0%A4%A" }))?.status).toBe(200);
    expect((await ok(app, sms)).key).toBe(call2.key);
  });

  it("takes the first link's initial for a new call when the caller rang again before the notification, unless the call switched there", async () => {
    const app = setup({ publicUrl: PUBLIC });
    const call1 = await ok(app, initial);
    await ok(app, { ...initial, action: "qualified", context: { pin: "1234" } });
    const late = notification(await ok(app, { name: "sms_vetting", action: "initial", ...caller }));
    // The caller hung up between two links (no interrupt) and rings again: a new key, empty state.
    const call2 = await ok(app, initial);
    expect(call2.key).not.toBe(call1.key);
    expect((await ok(app, { name: "sms_vetting", action: "initial", ...caller })).content).toBe("Text the code. PIN so far: undefined");
    // Call 1's notification, late, ends nothing of call 2.
    expect((await app.handle({ method: "POST", url: late.url, caller: late.caller })).status).toBe(200);
    expect((await ok(app, { name: "sms_vetting", action: "initial", ...caller })).key).toBe(call2.key);
    // sms_vetting disqualified switches back to pin_vetting: its initial is the same call.
    await ok(app, { name: "sms_vetting", action: "disqualified", ...caller, context: { reason: "no" } });
    expect((await ok(app, initial)).key).toBe(call2.key);
    // So is the first link asked again when its context did not parse.
    await ok(app, { ...initial, action: "qualified", context: { pin: 5 } });
    expect((await ok(app, initial)).key).toBe(call2.key);
  });

  it("takes the first link's initial for a new call long after the call switched there", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const app = setup();
      const call2 = await ok(app, initial);
      // A switch back to the first link: its initial belongs to the call only while Agent4 is asking for
      // it; later, the caller hung up after the switch and is ringing again.
      await ok(app, { name: "sms_vetting", action: "disqualified", ...caller, context: { reason: "no" } });
      vi.advanceTimersByTime(SWITCH_WINDOW_MS);
      const call3 = await ok(app, initial);
      expect(call3.key).not.toBe(call2.key);
      expect(call3.content).toBe("Ask for the PIN. Seen before: no");
    } finally {
      vi.useRealTimers();
    }
  });

  it("ends a call on its key and caller line together, without the token; 503 when the store cannot end it", async () => {
    const app = setup({ publicUrl: PUBLIC, token: "t" });
    const first = ResponseSchema.parse((await call(app, initial, { authorization: "Bearer t" })).json);
    const ended = notification(first);
    const still = async () => ResponseSchema.parse((await call(app, { ...initial, name: "sms_vetting" }, { authorization: "Bearer t" })).json).key;
    const otherLine = encodeURIComponent("12:+15125550000:+15128888888");
    for (const [url, caller] of [[ended.url, undefined], [ended.url, otherLine], [`/calls/${crypto.randomUUID()}/ended`, ended.caller]]) {
      expect((await app.handle({ method: "POST", url: url!, caller })).status).toBe(200);
      expect(await still(), `${url} ${caller}`).toBe(first.key);
    }
    expect((await app.handle({ method: "POST", url: ended.url, caller: ended.caller })).status).toBe(200);
    expect(await still()).not.toBe(first.key);
    const key = crypto.randomUUID();
    const logger: Logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const broken: SessionStore = { open: () => Promise.reject(new Error("down")), save: () => Promise.reject(new Error("down")), end: () => Promise.reject(new Error("down")) };
    const failing = setup({ publicUrl: PUBLIC, store: broken, logger });
    expect((await failing.handle({ method: "POST", url: `/calls/${key}/ended`, caller: "x" })).status).toBe(503);
    expect(logger.error).toHaveBeenCalledOnce();
  });

  it("answers a withheld caller ID (missing, null, empty, no digit, a carrier's stand-in number) and never lets such calls share state or key", async () => {
    const app = setup({ publicUrl: PUBLIC });
    const keys = new Set<string>();
    for (const withheld of [{}, { call_from: null }, { call_from: "" }, { call_from: "Anonymous" }, { call_from: "restricted" }, { call_from: "+266696687" }, { call_from: "+7378742833" }]) {
      const payload = { name: "pin_vetting", call_forwarded_by: "+15128888888", ...withheld };
      const first = await ok(app, { ...payload, action: "initial" });
      const qualified = await ok(app, { ...payload, action: "qualified", context: { pin: "1" } });
      const next = await ok(app, { name: "sms_vetting", action: "initial", call_forwarded_by: "+15128888888", ...withheld });
      expect(next.content).toBe("Text the code. PIN so far: undefined");
      for (const response of [first, qualified, next]) {
        expect(keys.has(response.key)).toBe(false);
        keys.add(response.key);
        expect(response.additional_call_notifications, "nothing kept, nothing to end").toBeUndefined();
      }
    }
  });

  it("ends a withheld caller's call at once on unparseable context: its attempts cannot be counted", async () => {
    const app = setup();
    const response = await ok(app, { name: "pin_vetting", action: "qualified", call_from: null, context: { pin: 5 } });
    expect(response.content).toBe(INVALID_CONTEXT_GIVE_UP);
    expect(response.actions).toEqual([endCall()]);
  });
});

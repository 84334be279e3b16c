// Duplicate deliveries and once(): the generated runtime, tested on the template source itself.
import { afterEach, describe, expect, it, vi } from "vitest";
import * as z from "zod";
import {
  createTaskchain,
  defineLink,
  DUPLICATE_WINDOW_MS,
  MAX_DELIVERY_CHARS,
  endCall,
  MemorySessionStore,
  nextTask,
  type Link,
  type Logger,
  type TaskchainOptions,
} from "../../templates/base/src/taskchain/index.js";

const caller = { call_from: "+15125550100", call_forwarded_by: "+15125550199" };

/** A two-link chain whose handlers count their runs; `outcome` is the first link's qualified reply, after `delayMs`. */
function counted(outcome: "moves on" | "ends the call" = "moves on", delayMs = 0) {
  const runs = { initial: 0, qualified: 0, sms: 0 };
  const pin = defineLink({
    name: "pin_vetting",
    parameters: { qualified: z.object({ pin: z.string() }) },
    initial: () => ({ content: `Ask for the PIN (${++runs.initial})` }),
    qualified: async ({ context, once }) => {
      runs.qualified++;
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      const sent = await once("welcome_sms", () => ++runs.sms);
      return { content: `PIN ${context.pin}, run ${runs.qualified}, sms ${sent}`, state: { pin: context.pin }, actions: [outcome === "moves on" ? nextTask() : endCall()] };
    },
    disqualified: () => ({ content: "No.", actions: [endCall()] }),
  });
  const wrap = defineLink({
    name: "wrap_up",
    parameters: {},
    initial: async ({ once }) => ({ content: `sms ${await once("welcome_sms", () => ++runs.sms)}` }),
    qualified: () => ({ content: "Bye.", actions: [nextTask()] }),
    disqualified: () => ({ content: "Bye.", actions: [endCall()] }),
  });
  return { runs, links: [pin, wrap] as Link[] };
}

function setup(links: Link[], options: Partial<TaskchainOptions> = {}) {
  const lines: string[] = [];
  const logger: Logger = { info: (message) => void lines.push(message), warn: (message) => void lines.push(message), error: (message) => void lines.push(message) };
  const app = createTaskchain({ links, logger, ...options });
  const post = async (body: Record<string, unknown>) => (await app.handle({ method: "POST", url: "/", body: { text: JSON.stringify({ ...caller, ...body }) } })).body;
  return { app, post, lines };
}

const initial = { name: "pin_vetting", action: "initial" };
const qualified = { name: "pin_vetting", action: "qualified", context: { pin: "1234" } };

afterEach(() => {
  vi.useRealTimers();
});

describe("a duplicate delivery", () => {
  it("gets the first answer byte for byte, the handler runs once, and the log says so", async () => {
    const { runs, links } = counted();
    const { post, lines } = setup(links);
    await post(initial);
    const first = await post(qualified);
    // Other fields than name, action and context do not make it another delivery.
    const again = await post({ ...qualified, extra: "ignored" });
    expect(again).toBe(first);
    expect(runs.qualified).toBe(1);
    expect(lines.at(-1)).toMatch(/same delivery again/);
    expect(JSON.parse(await post({ name: "wrap_up", action: "initial" })).content).toBe("sms 1");
  });

  it("is another delivery when its context, action or link differs, or after the window", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { runs, links } = counted();
    const { post } = setup(links);
    await post(initial);
    await post(qualified);
    const other = { ...qualified, context: { pin: "9999" } };
    await post(other);
    expect(runs.qualified).toBe(2);
    vi.advanceTimersByTime(DUPLICATE_WINDOW_MS - 1);
    await post(other);
    expect(runs.qualified).toBe(2);
    vi.advanceTimersByTime(1);
    await post(other);
    expect(runs.qualified).toBe(3);
  });

  it("while the first is still being answered waits for that answer", async () => {
    const { runs, links } = counted("moves on", 20);
    const { post } = setup(links);
    await post(initial);
    const [a, b] = await Promise.all([post(qualified), post(qualified)]);
    expect(b).toBe(a);
    expect(runs.qualified).toBe(1);
  });

  it("of an outcome that ended the call gets that answer; the caller's next call starts afresh", async () => {
    const { runs, links } = counted("ends the call");
    const store = new MemorySessionStore();
    const { post } = setup(links, { store });
    const call1 = JSON.parse(await post(initial)).key as string;
    const ended = await post(qualified);
    expect(await post(qualified)).toBe(ended);
    expect(runs.qualified).toBe(1);
    // The kept session is bare: none of the call's state.
    const kept = await store.open("12:+15125550100:+15125550199", () => ({ key: "none", state: {}, retries: {} }), 1_000);
    expect(kept.state).toEqual({});
    const call2 = JSON.parse(await post(initial));
    expect(call2.key).not.toBe(call1);
    expect(JSON.parse(await post(qualified)).content).toBe("PIN 1234, run 2, sms 2");
  });

  it("of an initial that ended the call runs anew: it may be the caller ringing again", async () => {
    const closed = defineLink({ name: "closed", parameters: {}, initial: () => ({ content: "We are closed.", actions: [endCall()] }), qualified: () => ({}), disqualified: () => ({}) });
    const { post } = setup([closed]);
    const a = JSON.parse(await post({ name: "closed", action: "initial" })).key;
    expect(JSON.parse(await post({ name: "closed", action: "initial" })).key).not.toBe(a);
  });

  it("is never found in context nested deeper than JSON can carry: each such delivery is answered and runs", async () => {
    let runs = 0;
    const deep = defineLink({ name: "deep", parameters: {}, initial: () => ({ content: "" }), qualified: () => ({ content: `run ${++runs}`, actions: [{ name: "switch_task", context: { name: "deep" } }] }), disqualified: () => ({}) });
    const { app } = setup([deep]);
    const text = `{"name":"deep","action":"qualified","call_from":"+15125550100","context":{"a":${"[".repeat(20_000)}${"]".repeat(20_000)}}}`;
    const bodies = [];
    for (let i = 0; i < 2; i++) bodies.push(JSON.parse((await app.handle({ method: "POST", url: "/", body: { text } })).body).content);
    expect(bodies).toEqual(["run 1", "run 2"]);
  });

  it("is never found for context too long to keep in the session: each such delivery is answered and runs", async () => {
    const { runs, links } = counted();
    const store = new MemorySessionStore();
    const { post } = setup(links, { store });
    await post(initial);
    const long = { ...qualified, context: { pin: "1234", note: "x".repeat(MAX_DELIVERY_CHARS) } };
    await post(long);
    await post(long);
    expect(runs.qualified).toBe(2);
    const kept = await store.open("12:+15125550100:+15125550199", () => ({ key: "none", state: {}, retries: {} }), 1_000);
    // The session holds none of that context.
    expect(JSON.stringify(kept).length).toBeLessThan(MAX_DELIVERY_CHARS);
  });

  it("runs again with duplicateWindowMs 0, and always for a withheld caller", async () => {
    const { runs, links } = counted();
    const off = setup(links, { duplicateWindowMs: 0 });
    await off.post(initial);
    await off.post(initial);
    expect(runs.initial).toBe(2);
    const { post } = setup(links);
    await post({ ...initial, call_from: "anonymous" });
    await post({ ...initial, call_from: "anonymous" });
    expect(runs.initial).toBe(4);
  });
});

describe("once()", () => {
  it("runs its function once per call, across links; the next call runs it again", async () => {
    const { runs, links } = counted();
    const { post } = setup(links);
    await post(initial);
    expect(JSON.parse(await post(qualified)).content).toBe("PIN 1234, run 1, sms 1");
    expect(JSON.parse(await post({ name: "wrap_up", action: "initial" })).content).toBe("sms 1");
    await post({ name: "wrap_up", action: "qualified" }); // the last link moves on: the call is over
    await post(initial);
    expect(JSON.parse(await post(qualified)).content).toBe("PIN 1234, run 2, sms 2");
    expect(runs.sms).toBe(2);
  });

  it("records nothing when its function throws, and gives back later what a store would (JSON)", async () => {
    let tries = 0;
    const results: unknown[] = [];
    const charge = () => {
      if (++tries === 1) throw new Error("payment service down");
      return { at: new Date(0), skipped: undefined };
    };
    const link = defineLink({
      name: "flaky",
      parameters: {},
      initial: async ({ once }) => (results.push(await once("charge", charge).catch(() => "failed")), { content: "ok" }),
      qualified: () => ({ actions: [{ name: "switch_task", context: { name: "flaky" } }] }),
      disqualified: () => ({}),
    });
    const { post } = setup([link]);
    for (let i = 0; i < 3; i++) {
      await post({ name: "flaky", action: "initial" });
      await post({ name: "flaky", action: "qualified" });
    }
    expect(tries).toBe(2);
    expect(results).toEqual(["failed", { at: new Date(0), skipped: undefined }, { at: "1970-01-01T00:00:00.000Z" }]);
  });
});

// The time budget of a webhook call and the one line each call logs, on the template source itself.
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as z from "zod";
import {
  APOLOGY,
  createTaskchain,
  DEFAULT_BUDGET_MS,
  defineLink,
  MemorySessionStore,
  nextTask,
  SAVE_GRACE_MS,
  TIMEOUT_APOLOGY,
  TIMEOUT_TRANSFER,
  type Budget,
  type HttpAnswer,
  type Link,
  type Logger,
  type SessionStore,
  type TaskchainOptions,
  type TaskchainResponse,
} from "../../templates/base/src/taskchain/index.js";

const caller = { call_from: "+15129999999", call_forwarded_by: "+15128888888" };
const never = new Promise<never>(() => {});

/** A logger that keeps every line, as the console logger would print it. */
function recorder() {
  const lines: { level: string; message: string; meta: Record<string, unknown> }[] = [];
  const at = (level: string) => (message: string, meta: Record<string, unknown> = {}) => void lines.push({ level, message, meta });
  const logger: Logger = { info: at("info"), warn: at("warn"), error: at("error") };
  return { lines, logger };
}

/** A link whose initial never answers; `overrides` replace any of its parts. */
function slowLink(overrides: Record<string, unknown> = {}): Link {
  return defineLink({
    name: "lookup",
    parameters: { qualified: z.object({ n: z.int() }) },
    initial: () => never,
    qualified: ({ context }) => ({ content: `got ${context.n}`, state: { n: context.n }, actions: [nextTask()] }),
    disqualified: () => ({ content: "bye" }),
    ...overrides,
  }) as Link;
}

function post(app: ReturnType<typeof createTaskchain>, action: string, context?: unknown, limits?: { timeLeftMs?: number }): Promise<HttpAnswer> {
  return app.handle({ method: "POST", url: "/lookup", body: { json: { name: "lookup", action, ...caller, context } } }, limits);
}

const body = (answer: HttpAnswer) => JSON.parse(answer.body) as TaskchainResponse;

/** How long `promise` took to settle, in ms of this test's clock (fake or real). */
async function timed<T>(promise: Promise<T>): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  const value = await promise;
  return { value, ms: Date.now() - start };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("time budget", () => {
  it("answers a handler that never finishes with the apology after the default 4 s, not before", async () => {
    vi.useFakeTimers();
    const { logger, lines } = recorder();
    const app = createTaskchain({ links: [slowLink()], logger });
    let settled = false;
    const pending = post(app, "initial").then((a) => ((settled = true), a));
    await vi.advanceTimersByTimeAsync(DEFAULT_BUDGET_MS - 10);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(20);
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(body(answer).content).toBe(TIMEOUT_APOLOGY);
    expect(body(answer).qualified_parameters).toBeDefined();
    expect(lines).toEqual([{ level: "warn", message: expect.stringMatching(/over its time budget/), meta: expect.objectContaining({ link: "lookup", action: "initial", outcome: "timeout" }) }]);
  });

  it("asks an outcome over its budget again, so the call goes on as the apology says", async () => {
    const app = createTaskchain({ links: [slowLink({ qualified: () => new Promise(() => {}) })], logger: recorder().logger, budgetMs: 20 });
    const answer = body(await post(app, "qualified", { n: 1 }));
    expect(answer).toMatchObject({ content: TIMEOUT_APOLOGY, actions: [{ name: "switch_task", context: { name: "lookup" } }] });
  });

  it("holds a handler returning another library's promise (a thenable) to the budget too", async () => {
    const thenable = { then: (resolve: (reply: { content: string }) => void) => void setTimeout(() => resolve({ content: "late" }), 10_000).unref() };
    const app = createTaskchain({ links: [slowLink({ initial: () => thenable })], logger: recorder().logger, budgetMs: 20 });
    expect(body(await post(app, "initial")).content).toBe(TIMEOUT_APOLOGY);
  });

  it("answers with the link's onTimeout reply, within the link's budgetMs rather than the project's", async () => {
    const onTimeout = vi.fn(() => ({ content: "Still looking; one moment." }));
    const app = createTaskchain({ links: [slowLink({ budgetMs: 60, onTimeout })], logger: recorder().logger, budgetMs: 10_000 });
    const { value, ms } = await timed(post(app, "initial"));
    expect(body(value).content).toBe("Still looking; one moment.");
    expect(ms).toBeGreaterThanOrEqual(55);
    expect(ms).toBeLessThan(2_000);
    expect(onTimeout).toHaveBeenCalledWith(expect.objectContaining({ action: "initial", elapsedMs: expect.any(Number), state: {} }));
  });

  it("transfers a call over its budget when the project has a transfer number and the link no onTimeout", async () => {
    const app = createTaskchain({ links: [slowLink()], logger: recorder().logger, budgetMs: 20, transferNumber: "+15125550123" });
    const response = body(await post(app, "initial"));
    expect(response).toMatchObject({ content: TIMEOUT_TRANSFER, actions: [{ name: "transfer_call", context: { number: "+15125550123" } }] });
  });

  it("an onTimeout reply that is not valid is answered with the apology, never a 5xx", async () => {
    const onTimeout = () => ({ actions: [{ name: "switch_task" as const, context: { name: "nowhere" } }] });
    const { logger, lines } = recorder();
    const app = createTaskchain({ links: [slowLink({ onTimeout })], logger, budgetMs: 20, apology: "Sorry." });
    const answer = await post(app, "initial");
    expect(answer.status).toBe(200);
    expect(body(answer).content).toBe("Sorry.");
    expect(lines.map((l) => l.meta.outcome)).toEqual(["failed"]);
  });

  it("gives the handler a signal that aborts when the budget runs out and the time left", async () => {
    let seen: Budget | undefined;
    let left = -1;
    const initial = (budget: Budget) => {
      seen = budget;
      left = budget.timeLeft();
      return new Promise<never>((_, reject) => budget.signal.addEventListener("abort", () => reject(budget.signal.reason)));
    };
    const app = createTaskchain({ links: [slowLink({ initial })], logger: recorder().logger, budgetMs: 50 });
    expect(body(await post(app, "initial")).content).toBe(TIMEOUT_APOLOGY);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(50);
    expect(seen?.signal.aborted).toBe(true);
    expect((seen?.signal.reason as Error).name).toBe("TimeoutError");
    expect(seen?.timeLeft()).toBe(0);
  });

  it("keeps within what the platform still allows (Lambda's remaining time)", async () => {
    const app = createTaskchain({ links: [slowLink()], logger: recorder().logger, budgetMs: 10_000 });
    const { value, ms } = await timed(post(app, "initial", undefined, { timeLeftMs: 40 }));
    expect(body(value).content).toBe(TIMEOUT_APOLOGY);
    expect(ms).toBeLessThan(2_000);
  });

  it("a budget of 0 waits for the handler however long it takes", async () => {
    vi.useFakeTimers();
    let finish: (reply: { content: string }) => void = () => {};
    const initial = () => new Promise<{ content: string }>((resolve) => (finish = resolve));
    const app = createTaskchain({ links: [slowLink({ initial })], logger: recorder().logger, budgetMs: 0 });
    const pending = post(app, "initial");
    await vi.advanceTimersByTimeAsync(60_000);
    finish({ content: "at last" });
    expect(body(await pending).content).toBe("at last");
  });

  it("does not apply the late handler's state: the next call sees the state from before", async () => {
    let release: () => void = () => {};
    const qualified = ({ context }: { context: { n: number } }) =>
      new Promise((resolve) => (release = () => resolve({ content: "late", state: { n: context.n }, actions: [nextTask()] })));
    const app = createTaskchain({ links: [slowLink({ qualified }), slowLink({ name: "next", initial: ({ state }: { state: object }) => ({ content: JSON.stringify(state) }) })], logger: recorder().logger, budgetMs: 20 });
    const first = body(await post(app, "qualified", { n: 1 }));
    expect(first.content).toBe(TIMEOUT_APOLOGY);
    expect(first.state).toBeUndefined();
    release();
    await new Promise((r) => setTimeout(r, 10));
    const answer = await app.handle({ method: "POST", url: "/next", body: { json: { name: "next", action: "initial", ...caller } } });
    expect(body(answer).content).toBe("{}");
  });
});

/** A store over the network, as far as time goes: sessions in memory, each open and save first waiting `delays` ms (Infinity: for good). */
function slowStore(delays: { open?: number; save?: number }): SessionStore {
  const memory = new MemorySessionStore();
  const wait = (ms = 0) => (ms === Infinity ? never : new Promise((resolve) => setTimeout(resolve, ms)));
  return {
    open: async (...args) => (await wait(delays.open), memory.open(...args)),
    save: async (...args) => (await wait(delays.save), memory.save(...args)),
    end: (...args) => memory.end(...args),
  };
}

/** Whether `promise` has settled after the fake clock moves on `ms`. */
async function settledAfter(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  await vi.advanceTimersByTimeAsync(ms);
  return settled;
}

describe("the session store within the budget", () => {
  const counting = () =>
    slowLink({
      initial: ({ state }: { state: { n?: number } }) => ({ content: `n is ${state.n ?? "unset"}` }),
      qualified: ({ context }: { context: { n: number } }) => ({ content: "Noted.", state: { n: context.n }, actions: [{ name: "switch_task", context: { name: "lookup" } }] }),
    });

  it("answers with the apology at the deadline when the store has not opened the session, and logs a store failure", async () => {
    vi.useFakeTimers();
    const { logger, lines } = recorder();
    const app = createTaskchain({ links: [counting()], store: slowStore({ open: Infinity }), logger, budgetMs: 100 });
    const pending = post(app, "initial");
    expect(await settledAfter(pending, 90)).toBe(false);
    expect(await settledAfter(pending, 20)).toBe(true);
    expect(body(await pending).content).toBe(APOLOGY);
    expect(lines).toEqual([{ level: "error", message: expect.stringMatching(/session store failed/), meta: expect.objectContaining({ outcome: "store_failed", error: expect.stringMatching(/did not answer within the call's time budget/) }) }]);
  });

  it("waits for a slow save within its grace past the deadline", async () => {
    vi.useFakeTimers();
    const { logger, lines } = recorder();
    const app = createTaskchain({ links: [counting()], store: slowStore({ save: 300 }), logger, budgetMs: 100 });
    const pending = post(app, "qualified", { n: 7 });
    expect(await settledAfter(pending, 290)).toBe(false);
    expect(await settledAfter(pending, 20)).toBe(true);
    expect(body(await pending).content).toBe("Noted.");
    // Saved by the time it answered: the next webhook sees it at once.
    const next = post(app, "initial");
    await vi.advanceTimersByTimeAsync(400);
    expect(body(await next).content).toBe("n is 7");
    expect(lines.map((line) => line.level)).toEqual(["info", "info"]);
  });

  it("answers at the deadline plus the grace when the save takes longer, and hands the save to waitUntil to finish", async () => {
    vi.useFakeTimers();
    const { logger, lines } = recorder();
    const app = createTaskchain({ links: [counting()], store: slowStore({ save: 5_000 }), logger, budgetMs: 100 });
    const kept: Promise<unknown>[] = [];
    const pending = app.handle({ method: "POST", url: "/lookup", body: { json: { name: "lookup", action: "qualified", ...caller, context: { n: 7 } } } }, { waitUntil: (work) => void kept.push(work) });
    expect(await settledAfter(pending, 100 + SAVE_GRACE_MS - 10)).toBe(false);
    expect(await settledAfter(pending, 20)).toBe(true);
    expect(body(await pending).content).toBe("Noted.");
    expect(lines.map((line) => line.message)).toEqual([expect.stringMatching(/still saving when the answer was due/), "webhook call answered"]);
    expect(kept).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5_000);
    await kept[0];
    const next = post(app, "initial");
    await vi.advanceTimersByTimeAsync(5_000);
    expect(body(await next).content).toBe("n is 7");
  });

  it("has the caller's next webhook, a duplicate included, wait for a save that outlived its answer", async () => {
    vi.useFakeTimers();
    let runs = 0;
    const link = counting();
    const qualified = link.qualified;
    const app = createTaskchain({ links: [{ ...link, qualified: (args) => (runs++, qualified(args)) }], store: slowStore({ save: 800 }), logger: recorder().logger, budgetMs: 200 });
    const first = post(app, "qualified", { n: 7 });
    expect(await settledAfter(first, 200 + SAVE_GRACE_MS + 10)).toBe(true);
    // Agent4 sends the same delivery again before the save has landed: it is answered from the session, the handler not run again.
    const again = post(app, "qualified", { n: 7 });
    const next = post(app, "initial");
    let settled = false;
    void app.settled().then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(50); // the save lands 800 ms after the first delivery
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(settled).toBe(true);
    expect((await again).body).toBe((await first).body);
    expect(runs).toBe(1);
    expect(body(await next).content).toBe("n is 7");
  });

  it("keeps the save's grace within what the platform still allows (Lambda)", async () => {
    vi.useFakeTimers();
    const app = createTaskchain({ links: [slowLink()], logger: recorder().logger, budgetMs: 10_000 });
    const pending = post(app, "initial", undefined, { timeLeftMs: 1_000 });
    expect(await settledAfter(pending, 1_000 - SAVE_GRACE_MS - 10)).toBe(false);
    expect(await settledAfter(pending, 20)).toBe(true);
    expect(body(await pending).content).toBe(TIMEOUT_APOLOGY);
  });
});

describe("the line each webhook call logs", () => {
  it("is one info line with link, action, outcome and the handler's time apart from the whole", async () => {
    const { logger, lines } = recorder();
    const qualified = async ({ context }: { context: { n: number } }) => {
      await new Promise((r) => setTimeout(r, 30));
      return { content: `got ${context.n}`, actions: [nextTask()] };
    };
    const app = createTaskchain({ links: [slowLink({ qualified })], logger });
    expect((await post(app, "qualified", { n: 7 })).status).toBe(200);
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({ level: "info", meta: { link: "lookup", action: "qualified", outcome: "answered" } });
    expect(line?.meta.handlerMs).toBeGreaterThanOrEqual(25);
    expect(line?.meta.ms).toBeGreaterThanOrEqual(line?.meta.handlerMs as number);
  });

  it("says how context that did not parse was answered, in that same one line", async () => {
    const { logger, lines } = recorder();
    const app = createTaskchain({ links: [slowLink()], logger });
    await post(app, "qualified", { n: "seven" });
    expect(lines).toEqual([{ level: "warn", message: expect.stringMatching(/context did not parse/), meta: expect.objectContaining({ outcome: "invalid_context", problem: expect.stringContaining("n") }) }]);
  });
});

describe("a late handler (property)", () => {
  /**
   * Calls of one caller, each with a handler taking `delay` ms against a 20 ms budget. A handler in
   * time counts the call in the state; a late one would count it too, if its update were applied.
   */
  it("never changes the state and never sends a second answer", async () => {
    vi.useFakeTimers();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 25, max: 45 })), { minLength: 1, maxLength: 8 }), async (delays) => {
        const store = new MemorySessionStore();
        const { logger, lines } = recorder();
        let delay = 0;
        const initial = ({ state }: { state: { count?: number } }) =>
          new Promise((resolve) => setTimeout(() => resolve({ content: "counted", state: { count: (state.count ?? 0) + 1 } }), delay));
        // The same `initial` again and again is a duplicate delivery; here each one is meant to run.
        const app = createTaskchain({ links: [slowLink({ initial })], logger, store, budgetMs: 20, duplicateWindowMs: 0 } satisfies TaskchainOptions);
        let counted = 0;
        const answers: TaskchainResponse[] = [];
        for (const d of delays) {
          delay = d;
          const pending = post(app, "initial");
          await vi.advanceTimersByTimeAsync(25);
          const response = body(await pending);
          answers.push(response);
          if (response.content === "counted") counted++;
          else expect(response.content).toBe(TIMEOUT_APOLOGY);
          expect(response.state?.count ?? counted).toBe(counted);
        }
        // Every late handler finishes now: nothing it returns may reach the session or the caller.
        await vi.runAllTimersAsync();
        const session = await store.open("12:+15129999999:+15128888888", () => ({ key: "new", state: {}, retries: {} }), 60_000);
        expect(session.state.count ?? 0).toBe(counted);
        expect(new Set(answers.map((a) => a.key)).size).toBe(1);
        expect(lines).toHaveLength(delays.length);
        expect(lines.filter((l) => l.meta.outcome === "timeout")).toHaveLength(delays.length - counted);
        expect(counted).toBe(delays.filter((d) => d < 20).length);
      }),
      { numRuns: 60 },
    );
  });
});

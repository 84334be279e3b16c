// The contract every session store keeps (SessionStore in src/taskchain/session.ts). This project's
// tests run it on its own store; create-taskchain's tests run it on every store it can write.
import { describe, expect, it, vi } from "vitest";
import { APOLOGY, createTaskchain, MemorySessionStore, nextTask, silentLogger, type InitialArgs, type Link, type Logger, type Session, type SessionStore } from "../src/taskchain/index.ts";

export interface StoreContractSetup {
  /** A store whose keys no other store in the run sees; `logger` receives the store's own lines. */
  make(logger: Logger): SessionStore | Promise<SessionStore>;
  /** Takes the store's backend away and brings it back; only a store with a backend has one. */
  outage?: { start(): Promise<void>; end(): Promise<void> };
  /**
   * False for a store with no conditional write (KV): of two updates of one call saved at the same
   * moment it may lose one, and a save landing after end() may store the ended call again. It does
   * not promise those cases, so they are not run.
   */
  conditionalWrites?: boolean;
}

const MINUTE = 60_000;
const fresh = (key: string) => (): Session => ({ key, state: {}, retries: {} });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A logger that keeps every line as "level message". */
function recorder(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => void lines.push(`${level} ${message}`);
  return { logger: { info: at("info"), warn: at("warn"), error: at("error") }, lines };
}

/**
 * A two-link chain counting its handlers' runs: the first link's outcome moves on, the second's
 * ends the call, and each sends one "SMS" through once().
 */
function countingChain() {
  const runs = { outcomes: 0, sms: 0 };
  const outcome = (actions: ReturnType<typeof nextTask>[]) => async ({ once }: InitialArgs) => {
    runs.outcomes++;
    return { content: `run ${runs.outcomes}, sms ${await once("sms", () => ++runs.sms)}`, state: { runs: runs.outcomes }, actions };
  };
  const link = (name: string, actions: ReturnType<typeof nextTask>[]): Link => ({ name, parameters: {}, initial: () => ({ content: "Go on." }), qualified: outcome(actions), disqualified: () => ({}) });
  return { runs, links: [link("pin_vetting", [nextTask()]), link("wrap_up", [nextTask()])] };
}

/** Opens and saves as dispatch does for every webhook call; returns the key the call got. */
async function touch(store: SessionStore, id: string, key: string, ttlMs: number): Promise<string> {
  const session = await store.open(id, fresh(key), ttlMs);
  await store.save(id, session.key, {}, ttlMs);
  return session.key;
}

/**
 * A chain of one link whose outcome waits `delay` ms, then sets the state name its context gives
 * and asks again (the call goes on); its `initial` answers with the call's state as JSON.
 */
function slotChain(delay: () => number): Link[] {
  const slot: Link = {
    name: "slots",
    parameters: {},
    initial: ({ state }) => ({ content: JSON.stringify(state) }),
    qualified: async ({ context }) => {
      await sleep(delay());
      const { name, value } = context as { name: string; value: number };
      return { content: "Noted.", state: { [name]: value }, actions: [{ name: "switch_task", context: { name: "slots" } }] };
    },
    disqualified: () => ({}),
  };
  return [slot];
}

export function describeSessionStore(name: string, setup: StoreContractSetup): void {
  describe(`${name} session store contract`, () => {
    const make = () => setup.make(silentLogger);

    it("opens a new session from fresh(), then the saved one, and forgets it on end", async () => {
      const store = await make();
      const opened = await store.open("caller", fresh("k1"), MINUTE);
      expect(opened).toEqual({ key: "k1", state: {}, retries: {} });
      // JSON as sent, kept exactly: numbers past 14 digits, empty lists and objects, any text.
      const state = { pin: "1234", nested: { list: [1, "two", null], none: [], empty: {} }, big: 2 ** 53 - 1, tiny: 0.1 + 0.2, text: 'Zoë 🚀 "quoted"' };
      await store.save("caller", "k1", { state, retries: { pin_vetting: 1 } }, MINUTE);
      expect(await store.open("caller", fresh("k2"), MINUTE)).toEqual({ key: "k1", state, retries: { pin_vetting: 1 } });
      await store.save("caller", "k1", {}, MINUTE);
      await store.end("caller");
      expect((await store.open("caller", fresh("k3"), MINUTE)).key).toBe("k3");
      await store.end("caller");
    });

    it("applies a change by name: names it does not give stay, undefined removes one, the last answer is replaced", async () => {
      const store = await make();
      await store.open("line", fresh("k"), MINUTE);
      const last = (of: string) => ({ of, body: `{"content":"${of}"}`, at: Date.now() });
      await store.save("line", "k", { state: { a: 1, b: [2], gone: true }, once: { sms: { id: "m1" } }, retries: { pin: 1 }, last: last("first") }, MINUTE);
      await store.save("line", "k", { state: { b: [3], c: null, gone: undefined }, once: { mail: 0 }, retries: { wrap: 2 }, last: last("second") }, MINUTE);
      const { last: kept, ...session } = await store.open("line", fresh("other"), MINUTE);
      expect(session).toEqual({ key: "k", state: { a: 1, b: [3], c: null }, once: { sms: { id: "m1" }, mail: 0 }, retries: { pin: 1, wrap: 2 } });
      expect(Object.keys(session.state)).not.toContain("gone");
      expect(kept?.of).toBe("second");
      await store.end("line");
    });

    it("ends a session by its key only while it is still that call", async () => {
      const store = await make();
      await touch(store, "line", "first-call", MINUTE);
      await store.end("line", "another-call");
      expect((await store.open("line", fresh("k2"), MINUTE)).key).toBe("first-call");
      await store.save("line", "first-call", {}, MINUTE);
      await store.end("line", "first-call");
      expect((await store.open("line", fresh("k3"), MINUTE)).key).toBe("k3");
      await store.end("line");
    });

    it("never lets a late write of an ended call into the next call's session", async () => {
      const store = await make();
      await touch(store, "line", "ended", MINUTE);
      await store.end("line", "ended");
      await touch(store, "line", "next", MINUTE);
      const answer = { of: "late", body: "{}", at: Date.now(), ended: true };
      await store.save("line", "ended", { state: { late: true }, once: { late: 1 }, retries: { late: 1 }, last: answer }, MINUTE);
      await store.end("line", "ended", { last: answer, ttlMs: MINUTE });
      expect(await store.open("line", fresh("other"), MINUTE)).toEqual({ key: "next", state: {}, retries: {} });
      await store.save("line", "next", { state: { on: true } }, MINUTE);
      expect((await store.open("line", fresh("other"), MINUTE)).state).toEqual({ on: true });
      await store.end("line");
    });

    if (setup.conditionalWrites !== false) it("a save after end(key) does not bring the call back", async () => {
      const store = await make();
      await touch(store, "line", "ended", MINUTE);
      await store.end("line", "ended");
      const answer = { of: "late", body: "{}", at: Date.now() };
      await store.save("line", "ended", { state: { late: true }, once: { sms: 1 }, retries: { pin: 1 }, last: answer }, MINUTE);
      expect(await store.open("line", fresh("next"), MINUTE)).toEqual({ key: "next", state: {}, retries: {} });
      await store.end("line");
    });

    it("a save after end with keep does not replace the kept answer or un-end it", async () => {
      const store = await make();
      await touch(store, "line", "k", MINUTE);
      const last = { of: "pin\nqualified\n{}", body: '{"key":"k","content":"Bye."}', at: Date.now(), ended: true };
      await store.end("line", "k", { last, ttlMs: MINUTE });
      const late = { of: "pin\ndisqualified\n{}", body: '{"key":"k","content":"Go on."}', at: Date.now() };
      await store.save("line", "k", { state: { late: true }, once: { sms: 1 }, retries: { pin: 1 }, last: late }, MINUTE);
      expect(await store.open("line", fresh("next"), MINUTE)).toEqual({ key: "k", state: {}, retries: {}, last });
      await store.end("line");
    });

    it("keeps an ended call's last answer alone, under its key, when asked to", async () => {
      const store = await make();
      await store.open("line", fresh("k"), MINUTE);
      await store.save("line", "k", { state: { a: 1 }, once: { sms: 1 }, retries: { pin: 1 } }, MINUTE);
      const last = { of: "pin\nqualified\n{}", body: '{"key":"k","content":"Bye."}', at: Date.now(), ended: true };
      await store.end("line", "k", { last, ttlMs: MINUTE });
      expect(await store.open("line", fresh("next"), MINUTE)).toEqual({ key: "k", state: {}, retries: {}, last });
      await store.end("line", "k");
      expect((await store.open("line", fresh("next"), MINUTE)).key).toBe("next");
      await store.end("line");
    });

    if (setup.conditionalWrites !== false) it("keeps both of two updates of one call saved at the same moment, by two instances", async () => {
      const store = await make();
      const links = slotChain(() => Math.random() * 10);
      const instances = [createTaskchain({ links, store, logger: silentLogger }), createTaskchain({ links, store, logger: silentLogger })];
      const post = async (on: number, action: string, context?: object) => {
        const body = JSON.stringify({ name: "slots", action, call_from: "+15125550113", call_forwarded_by: "", context });
        const answer = await instances[on]!.handle({ method: "POST", url: "/slots", body: { text: body } });
        expect(answer.status).toBe(200);
        return JSON.parse(answer.body) as { key: string; content: string };
      };
      const { key } = await post(0, "initial");
      const expected: Record<string, number> = {};
      for (let pair = 0; pair < 20; pair++) {
        const answers = await Promise.all([post(0, "qualified", { name: `a${pair}`, value: pair }), post(1, "qualified", { name: `b${pair}`, value: pair })]);
        expect(answers.map((answer) => answer.key)).toEqual([key, key]);
        Object.assign(expected, { [`a${pair}`]: pair, [`b${pair}`]: pair });
      }
      const seen = await post(1, "initial");
      expect(seen.key).toBe(key);
      expect(JSON.parse(seen.content)).toEqual(expected);
      await store.close?.();
    });

    it("keeps state as the JSON Agent4 was sent: a Date as its ISO string, an object as it was when answered", async () => {
      const store = await make();
      const cart = { items: ["tea"] };
      const shop: Link = {
        name: "shop",
        parameters: {},
        initial: ({ state }) => {
          const seen = JSON.stringify(state);
          // Changed in place, not returned as state: nothing stored changes.
          (state.cart as typeof cart | undefined)?.items.push("changed in place");
          return { content: seen };
        },
        qualified: () => ({ content: "Noted.", state: { when: new Date(0), cart, greet: () => "hi" }, actions: [{ name: "switch_task", context: { name: "shop" } }] }),
        disqualified: () => ({}),
      };
      const app = createTaskchain({ links: [shop], store, logger: silentLogger, duplicateWindowMs: 0 });
      const post = async (action: string) => {
        const body = JSON.stringify({ name: "shop", action, call_from: "+15125550114", call_forwarded_by: "" });
        return (JSON.parse((await app.handle({ method: "POST", url: "/shop", body: { text: body } })).body) as { content: string }).content;
      };
      await post("initial");
      await post("qualified");
      cart.items.push("after the answer");
      const stored = { when: "1970-01-01T00:00:00.000Z", cart: { items: ["tea"] } };
      expect(JSON.parse(await post("initial"))).toEqual(stored);
      expect(JSON.parse(await post("initial"))).toEqual(stored);
      await store.close?.();
    });

    it("keeps each caller's session apart, and ends one without touching another", async () => {
      const store = await make();
      await store.save("a", (await store.open("a", fresh("ka"), MINUTE)).key, { state: { who: "a" } }, MINUTE);
      await store.save("b", (await store.open("b", fresh("kb"), MINUTE)).key, { state: { who: "b" } }, MINUTE);
      await store.end("a");
      expect(await store.open("b", fresh("kx"), MINUTE)).toEqual({ key: "kb", state: { who: "b" }, retries: {} });
      expect((await store.open("a", fresh("ky"), MINUTE)).key).toBe("ky");
      await store.end("nobody"); // ending what was never opened is not an error
    });

    it("starts a new session after the idle TTL, which every save restarts", async () => {
      const store = await make();
      // The in-memory store keeps time by this process's Date.now(), so a fake clock moves on at
      // once; a backend keeps its own time, so there the test waits.
      const inProcess = store instanceof MemorySessionStore;
      if (inProcess) vi.useFakeTimers({ toFake: ["Date"] });
      const wait = inProcess ? async (ms: number) => void vi.advanceTimersByTime(ms) : sleep;
      try {
        const ttl = 1_500;
        expect(await touch(store, "idle", "first", ttl)).toBe("first");
        await wait(900);
        expect(await touch(store, "idle", "second", ttl)).toBe("first");
        await wait(900); // 1.8 s since the first save, 0.9 s since the last one
        expect(await touch(store, "idle", "second", ttl)).toBe("first");
        await wait(ttl + 300);
        // A save after the TTL ran out does not bring the call back (a backend may not have deleted it yet).
        if (setup.conditionalWrites !== false) await store.save("idle", "first", { state: { late: true } }, ttl);
        const next = await store.open("idle", fresh("third"), ttl);
        expect(next).toEqual({ key: "third", state: {}, retries: {} });
      } finally {
        vi.useRealTimers();
      }
    });

    it("answers a duplicate delivery with the first answer byte for byte, on any instance; the handler and once() run once", async () => {
      const store = await make();
      const { runs, links } = countingChain();
      // Two instances of the server sharing this store.
      const instances = [createTaskchain({ links, store, logger: silentLogger }), createTaskchain({ links, store, logger: silentLogger })];
      const post = async (on: number, name: string, action: string) => {
        const body = JSON.stringify({ name, action, call_from: "+15125550111", call_forwarded_by: "", context: { pin: "1234" } });
        const answer = await instances[on]!.handle({ method: "POST", url: `/${name}`, body: { text: body } });
        expect(answer.status).toBe(200);
        return answer.body;
      };
      await post(0, "pin_vetting", "initial");
      const first = await post(0, "pin_vetting", "qualified");
      expect(await post(1, "pin_vetting", "qualified")).toBe(first);
      await post(1, "wrap_up", "initial");
      // The last link moving on ends the call: its answer is still the one a duplicate gets.
      const last = await post(1, "wrap_up", "qualified");
      expect(await post(0, "wrap_up", "qualified")).toBe(last);
      expect(runs).toEqual({ outcomes: 2, sms: 1 });
      expect(JSON.parse(last).content).toBe("run 2, sms 1");
      // The caller's next call is a call of its own.
      expect(JSON.parse(await post(0, "pin_vetting", "initial")).key).not.toBe(JSON.parse(last).key);
      await store.close?.();
    });

    it("runs a link asked again with the same context again: only a delivery repeated with nothing in between is a duplicate", async () => {
      const store = await make();
      let runs = 0;
      // A link that asks again (switch_task to itself) until its third try: Agent4 sends its initial, then the outcome.
      const again: Link = {
        name: "pin_vetting",
        parameters: {},
        initial: () => ({ content: "Your PIN?" }),
        qualified: () => (++runs < 3 ? { content: "Once more.", actions: [{ name: "switch_task", context: { name: "pin_vetting" } }] } : { content: "Thanks.", actions: [nextTask()] }),
        disqualified: () => ({}),
      };
      const app = createTaskchain({ links: [again, { ...again, name: "wrap_up" }], store, logger: silentLogger });
      const post = async (action: string) => {
        const body = JSON.stringify({ name: "pin_vetting", action, call_from: "+15125550112", call_forwarded_by: "", context: { pin: "1234" } });
        return (await app.handle({ method: "POST", url: "/pin_vetting", body: { text: body } })).body;
      };
      const answers: string[] = [];
      for (let i = 0; i < 3; i++) answers.push((await post("initial"), await post("qualified")));
      expect(answers.map((body) => (JSON.parse(body) as { content: string }).content)).toEqual(["Once more.", "Once more.", "Thanks."]);
      expect(runs).toBe(3);
      await store.close?.();
    });

    if (setup.outage) {
      const outage = setup.outage;
      it("while its backend is away: the caller hears the apology, the handler does not run, the log gets one line", async () => {
        const { logger, lines } = recorder();
        const store = await setup.make(logger);
        let runs = 0;
        // A Link, not defineLink(): its name is not one of this chain's links.
        const link: Link = {
          name: "pin_vetting",
          parameters: {},
          initial: () => {
            runs++;
            return { content: "What is your PIN?" };
          },
          qualified: () => ({ actions: [nextTask()] }),
          disqualified: () => ({}),
        };
        const app = createTaskchain({ links: [link], store, logger: silentLogger });
        const initial = async () => {
          const body = JSON.stringify({ name: "pin_vetting", action: "initial", call_from: "+15125550100", call_forwarded_by: "" });
          const answer = await app.handle({ method: "POST", url: "/pin_vetting", body: { text: body } });
          expect(answer.status).toBe(200);
          return (JSON.parse(answer.body) as { content: string }).content;
        };
        expect(await initial()).toBe("What is your PIN?");
        await outage.start();
        try {
          for (let i = 0; i < 3; i++) expect(await initial()).toBe(APOLOGY);
          expect(runs).toBe(1);
        } finally {
          await outage.end();
        }
        // Back: a store may take a moment to reconnect; the next calls run the handler again.
        let content = await initial();
        for (let i = 0; i < 50 && content === APOLOGY; i++) content = (await sleep(100), await initial());
        expect(content).toBe("What is your PIN?");
        expect(lines.filter((line) => line.startsWith("error ")), lines.join("\n")).toHaveLength(1);
        await store.close?.();
      });
    }
  });
}

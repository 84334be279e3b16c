// Property test of the call boundary rules, in-process, on every session store: in memory, in a
// real redis-server, in dynalite (DynamoDB's API) through the AWS SDK, and in Workers KV and Durable
// Objects in real workerd through miniflare (the engine behind `wrangler dev`), with fewer runs where
// each webhook call costs round trips (STORES). Calls from many callers (withheld caller IDs
// included) interleave webhook by webhook, each call ends its own way (the chain finishes,
// end_call, interrupt, or Agent4 calls the call-ended notification), and old notifications arrive
// late. Properties: a call keeps one key, no key is ever given to two calls, a call starts with
// empty state and only ever sees its own state, and a withheld caller's webhook calls share nothing
// with any other.
//
// Workers KV here is one local namespace: it reads its own writes at once and takes any number of
// writes a second. Cloudflare's KV is eventually consistent between locations (a write is seen
// elsewhere within about a minute) and refuses a second write to a key within a second; these
// webhooks come milliseconds apart, far faster than a conversation's, so there some of their writes
// would be refused. What this checks on KV is the store's own logic for a call whose webhooks reach
// one location, as they do from one Agent4 region; it checks the same properties as on the others.
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import { defaultParameters } from "../../src/spec/spec.js";
import { runs } from "../helpers/deep.js";
import { generateInRepo } from "../helpers/in-repo-project.js";
import { startDynalite } from "../helpers/dynalite.js";
import { installProject } from "../helpers/project.js";
import { startRedis } from "../helpers/redis.js";
import { createTaskchain, defineLink, endCall, nextTask, silentLogger, type Answered, type Logger, type Session, type SessionChange, type SessionStore, type Taskchain, type TaskchainResponse } from "../../templates/base/src/taskchain/index.js";

const TOKEN = "boundary-token";
const LINKS = ["l0", "l1", "l2"] as const;

/** Every link speaks the state it was handed, so a test sees what the handler saw. */
const chain = LINKS.map((name) =>
  defineLink({
    name,
    parameters: { qualified: z.object({ tag: z.string() }) },
    initial: ({ state }) => ({ content: JSON.stringify(state) }),
    qualified: ({ context }) => ({ state: { [name]: context.tag }, actions: [nextTask()] }),
    disqualified: () => ({ content: "bye", actions: [endCall()] }),
    interrupt: () => ({}),
  }),
);

const CALLERS = ["+15125550100", "+15125550101", "+15125550102", "+15125550103"] as const;
const WITHHELD = [undefined, null, "", "anonymous"] as const;
type Ending = "finish" | "disqualified" | "interrupt" | "notified";

/** One phone call: who calls, how many links qualify, how it ends. */
interface Script {
  caller: number; // index into CALLERS, or -1 - index into WITHHELD
  qualified: number;
  ending: Ending;
}

const scriptArb = fc.record({
  caller: fc.integer({ min: -WITHHELD.length, max: CALLERS.length - 1 }),
  qualified: fc.integer({ min: 0, max: LINKS.length }),
  ending: fc.constantFrom<Ending>("finish", "disqualified", "interrupt", "notified"),
});

/**
 * Which ended call's notification Agent4 sends again late, turn by turn (null: none that turn). At
 * fast-check's default size an array holds at most ten entries, so only a run's first turns ever
 * had one, and a line's old notification rarely met the next call on that line in progress:
 * drawn at medium size, they come all through a run.
 */
const replaysArb = fc.array(fc.option(fc.nat(), { freq: 4 }), { maxLength: 80, size: "medium" });

/** The webhook calls of one phone call, in order. A chain that qualifies every link finishes. */
function steps(script: Script): Array<{ link: string; action: string } | "notify"> {
  const out: Array<{ link: string; action: string } | "notify"> = [];
  for (let i = 0; i < script.qualified; i++) out.push({ link: LINKS[i]!, action: "initial" }, { link: LINKS[i]!, action: "qualified" });
  if (script.qualified === LINKS.length) return out;
  const link = LINKS[script.qualified]!;
  out.push({ link, action: "initial" });
  if (script.ending === "notified" || script.ending === "finish") out.push("notify");
  else out.push({ link, action: script.ending });
  return out;
}

interface Call {
  tag: string;
  script: Script;
  steps: ReturnType<typeof steps>;
  at: number;
  key?: string;
  state: Record<string, string>;
  notification?: { url: string; headers: Record<string, string> };
}

const post = (app: Taskchain, url: string, body: unknown) => app.handle({ method: "POST", url, authorization: `Bearer ${TOKEN}`, body: { text: JSON.stringify(body) } });

/** Agent4 calling a call-ended notification: its URL's path, its headers, any body. */
const notify = (app: Taskchain, notification: NonNullable<Call["notification"]>) =>
  app.handle({ method: "POST", url: notification.url, authorization: notification.headers.authorization, caller: notification.headers["x-taskchain-caller"], body: { text: "anything" } });

/**
 * Plays the calls, interleaved as `order` says (each entry picks a caller line with a call in
 * progress; a line's next call starts when its previous one ended), replaying ended calls'
 * notifications where `replays` says, and checks every answer.
 */
async function play(app: Taskchain, scripts: Script[], order: number[], replays: Array<number | null>, run: number): Promise<void> {
  const lines = new Map<number, Call[]>();
  scripts.forEach((script, i) => {
    const call: Call = { tag: `r${run}c${i}`, script, steps: steps(script), at: 0, state: {} };
    lines.set(script.caller, [...(lines.get(script.caller) ?? []), call]);
  });
  const keys = new Map<string, string>(); // key → tag of the call it was given to
  const ended: Call[] = [];
  let turn = 0;
  while (lines.size > 0) {
    const live = [...lines.keys()];
    const line = live[(order[turn] ?? turn) % live.length]!;
    const replay = replays[turn++];
    if (replay != null && ended.length > 0) {
      const old = ended[replay % ended.length]!;
      if (old.notification) expect((await notify(app, old.notification)).status).toBe(200);
    }
    const queue = lines.get(line)!;
    const call = queue[0]!;
    await step(app, call, keys);
    if (call.at === call.steps.length) {
      ended.push(call);
      queue.shift();
      if (queue.length === 0) lines.delete(line);
    }
  }
}

async function step(app: Taskchain, call: Call, keys: Map<string, string>): Promise<void> {
  const next = call.steps[call.at++]!;
  const withheld = call.script.caller < 0;
  if (next === "notify") {
    // A withheld caller's call has no notification (nothing kept to end): it just ends.
    if (withheld) return;
    expect((await notify(app, call.notification!)).status).toBe(200);
    return;
  }
  const from = withheld ? { call_from: WITHHELD[-1 - call.script.caller] } : { call_from: CALLERS[call.script.caller] };
  const context = next.action === "qualified" ? { tag: call.tag } : undefined;
  const answer = await post(app, `/${next.link}`, { name: next.link, action: next.action, ...from, call_forwarded_by: "+15128888888", context });
  expect(answer.status).toBe(200);
  const response = JSON.parse(answer.body) as TaskchainResponse;
  const owner = keys.get(response.key);
  if (withheld || call.key === undefined) {
    // A new call (and every webhook call of a withheld caller) gets a key no call had before.
    expect(owner, `key of ${call.tag} already given to ${owner}`).toBeUndefined();
    keys.set(response.key, call.tag);
    call.key = response.key;
  } else {
    expect(response.key, `${call.tag} keeps its key`).toBe(call.key);
  }
  if (next.action === "initial") expect(JSON.parse(response.content), `state seen by ${call.tag}`).toEqual(withheld ? {} : call.state);
  if (next.action === "qualified") call.state = { ...call.state, [next.link]: call.tag };
  const webhook = response.additional_call_notifications?.find((n) => "webhook" in n);
  if (withheld) expect(webhook, "no notification: a withheld caller has no session to end").toBeUndefined();
  else if (webhook && "webhook" in webhook) call.notification = { url: new URL(webhook.webhook.host).pathname, headers: webhook.webhook.headers ?? {} };
  else expect.fail("every answer carries the call-ended notification");
}

/** One run's store: a fresh one under a prefix of its own, so runs never see each other's sessions. */
type RunStore = SessionStore & { close?(): Promise<void> };
/** A store kind, started once for the file: `make` gives each run its store (undefined: the runtime's memory store). */
interface Backend {
  make(prefix: string): RunStore | undefined;
}

/**
 * Every store the property runs on, with its interleavings: thousands in memory and Redis, fewer
 * where a webhook call costs more (dynalite is slow per request; KV's open() reads three keys and
 * its save() writes up to two, each a round trip from Node into workerd; a Durable Object's every
 * open, save and end is an RPC into workerd). Outside the deep run the stores with a backend take
 * a sixth to an eighth of their runs (Redis, whose runs are cheap, a third); the deep run's full
 * count takes about a minute.
 */
const STORES: Array<{ kind: string; runs: number; start(): Promise<Backend> }> = [
  { kind: "memory", runs: 3000, start: async () => ({ make: () => undefined }) },
  { kind: "redis", runs: runs(300, 1000), start: startRedisBackend },
  { kind: "dynamodb", runs: runs(25, 150), start: startDynamoBackend },
  { kind: "Workers KV", runs: runs(15, 120), start: startKvBackend },
  { kind: "Durable Objects", runs: runs(10, 60), start: startDurableObjectBackend },
];

/** What afterAll stops and removes: each backend adds its own as soon as it has started it. */
const stops: Array<() => Promise<void>> = [];
const dirs: string[] = [];
const PROJECT_LINKS = [{ name: "a", prompt: "A", parameters: defaultParameters() }];

/** A module of a generated project, by its path there. */
async function importFrom<T>(dir: string, file: string): Promise<T> {
  return (await import(pathToFileURL(path.join(dir, file)).href)) as T;
}

async function startRedisBackend(): Promise<Backend> {
  const server = await startRedis();
  stops.push(() => server.stop());
  const dir = await generateInRepo("call-boundaries-redis", PROJECT_LINKS, "redis");
  dirs.push(dir);
  const { RedisSessionStore } = await importFrom<{ RedisSessionStore: new (options: { url: string; prefix: string; logger: Logger }) => RunStore }>(dir, "src/taskchain/redis-store.ts");
  return { make: (prefix) => new RedisSessionStore({ url: server.url, prefix, logger: silentLogger }) };
}

async function startDynamoBackend(): Promise<Backend> {
  const dynamo = await startDynalite();
  stops.push(() => dynamo.stop());
  const dir = await generateInRepo("call-boundaries-dynamodb", PROJECT_LINKS, "dynamodb", "lambda");
  dirs.push(dir);
  type Options = { table: string; prefix: string; logger: Logger; client: object };
  const { DynamoSessionStore } = await importFrom<{ DynamoSessionStore: new (options: Options) => RunStore }>(dir, "src/taskchain/dynamodb-store.ts");
  return { make: (prefix) => new DynamoSessionStore({ table: dynamo.table, prefix, logger: silentLogger, client: dynamo.client }) };
}

// The parts of miniflare and of the Workers stores' bindings used here. miniflare is not among this
// repo's dependencies: it comes with a generated cloudflare project's install (wrangler's own version).
interface KvNamespace {
  get(key: string, type: "text"): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
}
interface CallSessionStub {
  open(candidate: Session, ttlMs: number): Promise<Session>;
  save(key: string, change: SessionChange, ttlMs: number): Promise<void>;
  end(key?: string, keep?: { last: Answered; ttlMs: number }): Promise<void>;
}
interface CallSessionNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): CallSessionStub;
}
interface Miniflare {
  getKVNamespace(name: string): Promise<KvNamespace>;
  getDurableObjectNamespace(name: string): Promise<CallSessionNamespace>;
  dispose(): Promise<void>;
}

/**
 * A cloudflare project keeping its sessions in `sessions`, installed (through the e2e install
 * cache), and workerd through that install's miniflare, started with `options` (Miniflare 4's form,
 * as the project's own tests write them) and stopped in afterAll.
 */
async function startWorkerd(sessions: "kv" | "durable-object", options: (dir: string) => Promise<object>): Promise<{ dir: string; mf: Miniflare }> {
  const dir = await generateInRepo(`call-boundaries-${sessions}`, PROJECT_LINKS, sessions, "cloudflare");
  dirs.push(dir);
  installProject(dir);
  type MiniflareModule = { Miniflare: new (options: unknown) => Miniflare; convertV4MiniflareOptions(options: object): unknown };
  const { Miniflare, convertV4MiniflareOptions: v4 } = (await import(pathToFileURL(createRequire(path.join(dir, "package.json")).resolve("miniflare")).href)) as MiniflareModule;
  const { COMPATIBILITY_DATE } = await importFrom<{ COMPATIBILITY_DATE: string }>(dir, "test/target.ts");
  const mf = new Miniflare(v4({ modules: true, compatibilityDate: COMPATIBILITY_DATE, ...(await options(dir)) }));
  stops.push(() => mf.dispose());
  return { dir, mf };
}

async function startKvBackend(): Promise<Backend> {
  const { dir, mf } = await startWorkerd("kv", async () => ({ script: "export default { fetch: () => new Response('') }", kvNamespaces: ["SESSIONS"] }));
  const kv = await mf.getKVNamespace("SESSIONS");
  const { KvSessionStore } = await importFrom<{ KvSessionStore: new (kv: KvNamespace, options: { prefix: string; logger: Logger }) => RunStore }>(dir, "src/kv-store.ts");
  return { make: (prefix) => new KvSessionStore(kv, { prefix, logger: silentLogger }) };
}

async function startDurableObjectBackend(): Promise<Backend> {
  // The worker bundled as the project's tests bundle it: it exports the CallSession class the binding names.
  const { dir, mf } = await startWorkerd("durable-object", async (dir) => {
    const { bundleWorker } = await importFrom<{ bundleWorker(): Promise<string> }>(dir, "test/target.ts");
    const { sessionsBinding } = await importFrom<{ sessionsBinding: object }>(dir, "test/sessions-binding.ts");
    return { script: await bundleWorker(), ...sessionsBinding };
  });
  const objects = await mf.getDurableObjectNamespace("SESSIONS");
  // The namespace as a worker has it, for one run. In this Node process idFromName() and get() are
  // each a blocking round trip into workerd (in a worker both are local), so a line's stub is taken
  // once per run: the store's fresh stub per call only matters once one has thrown, which no call
  // here does. Miniflare hands this process an object's answer as a proxy, which a later call sends
  // back as first received, edits lost; a worker calling its object gets a plain copy, as here.
  const namespaceForRun = (): CallSessionNamespace => {
    const stubs = new Map<string, CallSessionStub>();
    return {
      idFromName: (name) => name,
      get(name) {
        let stub = stubs.get(name as string);
        if (!stub) {
          const object = objects.get(objects.idFromName(name as string));
          stub = {
            open: async (candidate, ttlMs) => JSON.parse(JSON.stringify(await object.open(candidate, ttlMs))) as Session,
            save: (key, change, ttlMs) => object.save(key, change, ttlMs),
            end: (key, keep) => object.end(key, keep),
          };
          stubs.set(name as string, stub);
        }
        return stub;
      },
    };
  };
  type Store = new (namespace: CallSessionNamespace, options: { prefix: string; logger: Logger }) => RunStore;
  const { DurableObjectSessionStore } = await importFrom<{ DurableObjectSessionStore: Store }>(dir, "src/durable-object-store.ts");
  return { make: (prefix) => new DurableObjectSessionStore(namespaceForRun(), { prefix, logger: silentLogger }) };
}

const backends = new Map<string, Backend>();
beforeAll(async () => {
  // All at once; every one that started is stopped in afterAll even when another failed to.
  const started = await Promise.allSettled(STORES.map(async ({ kind, start }) => backends.set(kind, await start())));
  for (const result of started) if (result.status === "rejected") throw result.reason;
});
afterAll(async () => {
  await Promise.all(stops.map((stop) => stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("call boundaries", () => {
  for (const { kind, runs: numRuns } of STORES) {
    it(`no call ever sees another call's key or state, withheld callers included (sessions in ${kind}, ${numRuns} interleavings)`, async () => {
      const backend = backends.get(kind)!;
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(scriptArb, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 80 }), replaysArb, async (scripts, order, replays) => {
          const store = backend.make(`calls:${process.pid}:${run}:`);
          const app = createTaskchain({ links: chain, token: TOKEN, publicUrl: "https://hooks.example.com", store, logger: silentLogger });
          try {
            await play(app, scripts, order, replays, run++);
          } finally {
            await store?.close?.();
          }
        }),
        { numRuns },
      );
    });
  }
});

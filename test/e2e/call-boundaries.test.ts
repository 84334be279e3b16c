// Property test of the call boundary rules, in-process, with sessions in memory, in a real
// redis-server and in dynalite (DynamoDB's API) through the AWS SDK, fewer runs where each webhook
// call is a network round trip: calls from many callers (withheld caller IDs included) interleave webhook by webhook,
// each call ends its own way (the chain finishes, end_call, interrupt, or Agent4 calls the
// call-ended notification), and old notifications arrive late. Properties: a call keeps one key, no
// key is ever given to two calls, a call starts with empty state and only ever sees its own state,
// and a withheld caller's webhook calls share nothing with any other.
import { rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import { defaultParameters } from "../../src/spec/spec.js";
import { generateInRepo } from "../helpers/in-repo-project.js";
import { startDynalite, type Dynalite } from "../helpers/dynalite.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";
import { createTaskchain, defineLink, endCall, nextTask, silentLogger, type Logger, type SessionStore, type Taskchain, type TaskchainResponse } from "../../templates/base/src/taskchain/index.js";

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

interface ClosableStore extends SessionStore {
  close(): Promise<void>;
}
let redis: RedisServer | undefined;
let dynamo: Dynalite | undefined;
let RedisStore: (new (options: { url: string; prefix?: string; logger: Logger }) => ClosableStore) | undefined;
type DynamoOptions = { table: string; prefix?: string; logger: Logger; client?: object };
let DynamoStore: (new (options: DynamoOptions) => ClosableStore) | undefined;
const dirs: string[] = [];

beforeAll(async () => {
  [redis, dynamo] = await Promise.all([startRedis(), startDynalite()]);
  const links = [{ name: "a", prompt: "A", parameters: defaultParameters() }];
  const redisDir = await generateInRepo("call-boundaries-redis", links, "redis");
  const dynamoDir = await generateInRepo("call-boundaries-dynamodb", links, "dynamodb", "lambda");
  dirs.push(redisDir, dynamoDir);
  RedisStore = ((await import(pathToFileURL(path.join(redisDir, "src/taskchain/redis-store.ts")).href)) as { RedisSessionStore: typeof RedisStore }).RedisSessionStore;
  DynamoStore = ((await import(pathToFileURL(path.join(dynamoDir, "src/taskchain/dynamodb-store.ts")).href)) as { DynamoSessionStore: typeof DynamoStore }).DynamoSessionStore;
});
afterAll(async () => {
  await Promise.all([redis?.stop(), dynamo?.stop()]);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const RUNS = { memory: 3000, redis: 1000, dynamodb: 150 } as const;

/** A fresh store of `kind` under a prefix of its own, so runs never see each other's sessions. */
function storeOf(kind: keyof typeof RUNS, prefix: string): ClosableStore | undefined {
  if (kind === "redis") return new RedisStore!({ url: redis!.url, prefix, logger: silentLogger });
  if (kind === "memory") return undefined;
  return new DynamoStore!({ table: dynamo!.table, prefix, logger: silentLogger, client: dynamo!.client });
}

describe("call boundaries", () => {
  for (const kind of ["memory", "redis", "dynamodb"] as const) {
    it(`no call ever sees another call's key or state, withheld callers included (sessions in ${kind}, ${RUNS[kind]} interleavings)`, async () => {
      let run = 0;
      let prefix = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(scriptArb, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 80 }), fc.array(fc.option(fc.nat(), { freq: 4 }), { maxLength: 80 }), async (scripts, order, replays) => {
          const store = storeOf(kind, `calls:${process.pid}:${prefix++}:`);
          const app = createTaskchain({ links: chain, token: TOKEN, publicUrl: "https://hooks.example.com", store, logger: silentLogger });
          try {
            await play(app, scripts, order, replays, run++);
          } finally {
            await store?.close();
          }
        }),
        { numRuns: RUNS[kind] },
      );
    });
  }
});

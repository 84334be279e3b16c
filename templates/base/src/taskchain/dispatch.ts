// Dispatch: one webhook call, from a routed payload to the answer. Opens the caller's session,
// answers duplicates from it, has the link's handler reply (reply.ts), and saves or ends the session.
import { beforeDeadline, DEFAULT_BUDGET_MS, LATE, logCall, type CallLog } from "./budget.ts";
import { endedCallKey, errorAnswer, gate, jsonAnswer, route, type HttpAnswer, type HttpRequest } from "./http.ts";
import type { CallState, Env, Link } from "./link.ts";
import { consoleLogger, describeThrown, type Logger } from "./log.ts";
import { parameterBlocks } from "./parameters.ts";
import { isWithheld, LINK_NAME_PATTERN, type Payload, type TaskchainResponse } from "./protocol.ts";
import type { Recorder } from "./record.ts";
import { respond, serialise, type ReplyContext } from "./reply.ts";
import { MemorySessionStore, type Answered, type Session, type SessionChange, type SessionStore } from "./session.ts";

export const DEFAULT_SESSION_TTL_MS = 30 * 60 * 1000;
/**
 * How long the same delivery again is answered with the first answer instead of running its
 * handler again: a webhook call may arrive twice (a retry after a late or lost answer).
 */
export const DUPLICATE_WINDOW_MS = 30_000;

export const APOLOGY = "I'm sorry, something went wrong on our side. Please bear with me.";

/**
 * How long past its budget an answer waits for the session to be saved, since the handler may
 * have used the whole budget. A save still running then finishes after the answer has gone, and
 * the caller's next webhook waits for it (openSession()).
 */
export const SAVE_GRACE_MS = 500;

export interface TaskchainOptions {
  /** The links, in chain order. */
  links: readonly Link[];
  store?: SessionStore;
  /** When set, every route but `/health` and `/calls/<key>/ended` needs `Authorization: Bearer <token>` or `?token=<token>`. */
  token?: string | undefined;
  sessionTtlMs?: number;
  logger?: Logger;
  /** Spoken when a handler throws or returns something invalid. */
  apology?: string;
  /** Handed to every handler as `env`. */
  env?: Env;
  /** Where Agent4 reaches this server. Set: every answer asks Agent4 to call `<publicUrl>/calls/<key>/ended` after the call. */
  publicUrl?: string | undefined;
  /** Each webhook call's time budget in ms (default 4 s; 0: none); a link's `budgetMs` wins. */
  budgetMs?: number;
  /** Where a call over its budget goes when its link has no `onTimeout` reply; unset, it hears an apology. */
  transferNumber?: string | undefined;
  /** Told of every webhook call that reached a link, with its answer (see record.ts). */
  record?: Recorder | undefined;
  /** How long a duplicate delivery gets the first answer again, in ms (default 30 s; 0: never, each runs). */
  duplicateWindowMs?: number;
}

/** What the platform tells the runtime about one request. */
export interface Limits {
  /** What the platform still allows this request (Lambda): the budget and the save's grace stay within it. */
  timeLeftMs?: number;
  /** Keeps work going after the answer is sent (Workers' `ctx.waitUntil`): a save past its grace. */
  waitUntil?(work: Promise<unknown>): void;
}

export interface Taskchain {
  readonly links: readonly Link[];
  handle(request: HttpRequest, limits?: Limits): Promise<HttpAnswer>;
  /** The answer a request gets before its body matters, or undefined (gate() in http.ts, and callEnded()). */
  gate(request: Omit<HttpRequest, "body">): HttpAnswer | Promise<HttpAnswer> | undefined;
  /** The JSON body of an error answer, for adapters that detect errors themselves (413, bad JSON). */
  error(status: number, error: string, message: string): HttpAnswer;
  /** Resolves once every session save that outlived its answer has landed: await it before closing the store. */
  settled(): Promise<void>;
}

/** Everything a webhook call needs from the app, fixed when the app is created. */
type App = ReplyContext & {
  store: SessionStore;
  logger: Logger;
  budgetMs: number;
  firstLink: string | undefined;
  lastLink: string | undefined;
  ttl: number;
  token: string | undefined;
  duplicateWindowMs: number;
  /** The answers being worked out in this process, by caller and delivery (see answer()). */
  running: Map<string, Promise<HttpAnswer>>;
  /** Saves that outlived their answer, by caller (see answerCall()); they never reject. */
  saving: Map<string, Promise<void>>;
  /** Whether the store's calls are held to the deadline (see inProcess()). */
  storeTimed: boolean;
};

export function createTaskchain(options: TaskchainOptions): Taskchain {
  const links = new Map<string, Link>();
  for (const link of options.links) {
    if (!LINK_NAME_PATTERN.test(link.name)) throw new Error(`Link name "${link.name}" is not a valid Agent4 link name`);
    if (links.has(link.name)) throw new Error(`Link "${link.name}" is registered twice`);
    links.set(link.name, link);
  }
  const store = options.store ?? new MemorySessionStore();
  const app: App = {
    links,
    firstLink: options.links[0]?.name,
    lastLink: options.links.at(-1)?.name,
    blocks: new Map(options.links.map((link) => [link.name, parameterBlocks(link)])),
    store,
    ttl: options.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
    logger: options.logger ?? consoleLogger,
    apology: options.apology ?? APOLOGY,
    env: options.env ?? {},
    budgetMs: options.budgetMs ?? DEFAULT_BUDGET_MS,
    transferNumber: options.transferNumber || undefined,
    token: options.token || undefined,
    publicUrl: options.publicUrl?.replace(/\/+$/, "") || undefined,
    duplicateWindowMs: options.duplicateWindowMs ?? DUPLICATE_WINDOW_MS,
    running: new Map(),
    saving: new Map(),
    storeTimed: !inProcess(store),
  };
  const early = (request: Omit<HttpRequest, "body">) => {
    const key = endedCallKey(request);
    return key === undefined ? gate(request, app.token, links.size) : callEnded(app, key, request.caller);
  };
  return {
    links: options.links,
    gate: early,
    async handle(request, limits) {
      const started = performance.now();
      const routed = early(request) ?? route(request, links);
      if (routed instanceof Promise || "status" in routed) return routed;
      const timing = { started, deadline: deadline(app, routed.link, started, limits?.timeLeftMs), waitUntil: limits?.waitUntil };
      const reply = answer(app, routed.link, routed.payload, timing);
      if (!options.record) return reply;
      options.record(routed.payload, await reply, performance.now() - started);
      return reply;
    },
    error: (status, error, message) => errorAnswer(status, error, message),
    async settled() {
      await Promise.all(app.saving.values());
    },
  };
}

/** The caller: `call_from` and `call_forwarded_by`, length-prefixed so no two pairs share an id. Withheld: undefined. */
export function sessionId(payload: Pick<Payload, "call_from" | "call_forwarded_by">): string | undefined {
  return isWithheld(payload.call_from) ? undefined : `${payload.call_from.length}:${payload.call_from}:${payload.call_forwarded_by}`;
}

const newSession = (): Session => ({ key: crypto.randomUUID(), state: {}, retries: {} });

/** When a webhook call started, when its handler must be done, and how work outlives its answer. */
interface Timing {
  started: number;
  deadline: number;
  waitUntil: Limits["waitUntil"];
}

/**
 * When this call's handler must be done: its link's budget (or the project's) from its start,
 * within the platform's limit less the save's grace.
 */
function deadline(app: App, link: Link, started: number, timeLeftMs = Infinity): number {
  return started + Math.min((link.budgetMs ?? app.budgetMs) || Infinity, timeLeftMs - SAVE_GRACE_MS);
}

/**
 * What one delivery is answered. The same delivery again while its first is still being answered
 * in this process waits for that answer and gets it too; one that comes later is answered from
 * the session (answeredBefore()). A withheld caller's deliveries name no call: each one runs.
 */
function answer(app: App, link: Link, payload: Payload, timing: Timing): Promise<HttpAnswer> {
  const id = sessionId(payload);
  const delivery = id === undefined || !app.duplicateWindowMs ? undefined : deliveryOf(payload);
  if (delivery === undefined) return answerCall(app, link, payload, timing, id, undefined);
  const running = `${id}\n${delivery}`;
  const first = app.running.get(running);
  if (first) return first.then((sent) => duplicate(app, link, payload, timing.started, sent.body));
  const answering = answerCall(app, link, payload, timing, id, delivery).finally(() => app.running.delete(running));
  app.running.set(running, answering);
  return answering;
}

/**
 * A delivery longer than this is never taken for a duplicate: it is kept in the session to be
 * recognised, and DynamoDB refuses an item over 400 KB, which would lose the call's state with it.
 */
export const MAX_DELIVERY_CHARS = 16_384;

/**
 * What makes two deliveries the same, within one call: the link, the action and the context as
 * parsed (key order as sent). The caller's numbers already name the call; other fields are not read.
 * Context JSON cannot carry (nesting deeper than the stack), or too long to keep, is never taken for a duplicate.
 */
function deliveryOf(payload: Payload): string | undefined {
  try {
    const delivery = `${payload.name}\n${payload.action}\n${JSON.stringify(payload.context ?? null)}`;
    return delivery.length > MAX_DELIVERY_CHARS ? undefined : delivery;
  } catch {
    return undefined;
  }
}

/** The first answer again, logged as a duplicate; the handler does not run. */
function duplicate(app: App, link: Link, payload: Payload, started: number, body: string): HttpAnswer {
  logCall(app.logger, link.name, payload.action, { started, outcome: "duplicate", handlerMs: 0 });
  return jsonAnswer(200, body);
}

/**
 * The body this call last answered with, when that answer was to this same delivery and within
 * the window. Only the last answer counts: a link run again (a retry, a switch back) always gets
 * another delivery in between, so the same one twice in a row can only be Agent4 sending it again.
 */
function answeredBefore(app: App, session: Session, delivery: string): string | undefined {
  const last = session.last;
  return last !== undefined && last.of === delivery && Date.now() - last.at < app.duplicateWindowMs ? last.body : undefined;
}

/**
 * One delivery's answer: the session opened, the handler's reply, the session saved. The store's
 * work counts against the budget too: a session not open by the deadline is a store failure, and
 * a save still running SAVE_GRACE_MS past it finishes after the answer.
 */
async function answerCall(app: App, link: Link, payload: Payload, timing: Timing, id: string | undefined, delivery: string | undefined): Promise<HttpAnswer> {
  const { started, deadline } = timing;
  const call: CallLog = { started, outcome: "answered", handlerMs: 0 };
  const storeDeadline = app.storeTimed ? deadline : Infinity;
  let opened: { session: Session; sent?: string };
  try {
    const open = await beforeDeadline(openSession(app, id, payload, delivery), storeDeadline);
    if (open === LATE) throw new Error("the session store did not answer within the call's time budget");
    opened = open;
  } catch (error) {
    // Without its session the handler would run without the call's state, so it does not run at
    // all: the caller hears the apology under a one-off key.
    logCall(app.logger, link.name, payload.action, { ...call, outcome: "store_failed", detail: { error: describeThrown(error) } });
    return jsonAnswer(200, serialise(app, link, payload, { key: crypto.randomUUID(), content: app.apology }));
  }
  if (opened.sent !== undefined) return duplicate(app, link, payload, started, opened.sent);
  const session = opened.session;
  const before = { ...session };
  const { response, body } = await respond(app, link, payload, session, call, deadline, id);
  if (id !== undefined) {
    const last = delivery === undefined ? undefined : { of: delivery, body, at: Date.now() };
    const saved = saveOrEnd(app, id, session.key, changeOf(before, session, response.state, last), payload, response);
    if ((await beforeDeadline(saved, storeDeadline + SAVE_GRACE_MS)) === LATE) {
      app.logger.warn("session store still saving when the answer was due; answered before the save", { link: link.name, action: payload.action });
      app.saving.set(id, saved);
      void saved.finally(() => {
        if (app.saving.get(id) === saved) app.saving.delete(id);
      });
      timing.waitUntil?.(saved);
    }
  }
  logCall(app.logger, link.name, payload.action, call);
  return jsonAnswer(200, body);
}

/**
 * Whether the store is the in-memory one, which answers at once: its calls need no deadline timer.
 * With two timers a call, the budget cost the node server 5 to 14% of its requests/s in `npm run
 * bench` (its "time budget" lines allow 3%).
 */
function inProcess(store: SessionStore): boolean {
  return store.constructor === MemorySessionStore;
}

/**
 * The caller's session, or `sent`: the answer a duplicate of the call's last delivery gets again.
 * A withheld caller ID gets a session of its own for this one webhook call, never stored. A session
 * kept after its call ended (saveOrEnd()), or one a new call starts on (startsCall()), answers only
 * that call's duplicates: anything else ends it and opens the next call's, which two instances
 * racing on it agree on as on any first webhook.
 */
async function openSession(app: App, id: string | undefined, payload: Payload, delivery: string | undefined): Promise<{ session: Session; sent?: string }> {
  if (id === undefined) return { session: newSession() };
  // The caller's last save, if it outlived its answer, lands first: else this delivery would not
  // see that call's state, or its own duplicate would not be recognised and would run again.
  const saving = app.saving.get(id);
  if (saving) await saving;
  const session = await app.store.open(id, newSession, app.ttl);
  const sent = delivery === undefined ? undefined : answeredBefore(app, session, delivery);
  if (sent !== undefined) return { session, sent };
  if (!session.last?.ended && !startsCall(app, payload, session.last)) return { session };
  await app.store.end(id, session.key);
  return { session: await app.store.open(id, newSession, app.ttl) };
}

/**
 * How long after an answer that switched to the chain's first link that link's `initial` still
 * belongs to the same call: Agent4 asks for it as soon as the answer has been spoken.
 */
export const SWITCH_WINDOW_MS = 30_000;

/**
 * Whether this delivery starts a call although its caller's session is live: the chain's first
 * link asked for its `initial`, unless the call's last answer switched to it just before. A caller
 * who hangs up between two links sends no `interrupt`, and ringing again may come before Agent4's
 * call-ended notification; without this, the new call would carry on the old one's key and state,
 * and that notification would end it mid-call.
 */
function startsCall(app: App, payload: Payload, last: Answered | undefined): boolean {
  if (last === undefined || payload.action !== "initial" || payload.name !== app.firstLink) return false;
  if (Date.now() - last.at >= SWITCH_WINDOW_MS) return true;
  const { actions } = JSON.parse(last.body) as TaskchainResponse;
  return !actions?.some((action) => action.name === "switch_task" && action.context.name === payload.name);
}

/**
 * What this webhook call changed, as save() takes it: the handler's state update, and the once()
 * results and retry counts it added. once() and invalidContext() replace those objects rather than
 * edit them, so `before` still holds them as opened.
 */
function changeOf(before: Session, after: Session, state: CallState | undefined, last: Answered | undefined): SessionChange {
  const change: SessionChange = {};
  if (state) change.state = asJson(state);
  if (after.once !== before.once) change.once = Object.fromEntries(Object.entries(after.once ?? {}).filter(([name]) => !Object.hasOwn(before.once ?? {}, name)));
  if (after.retries !== before.retries) change.retries = Object.fromEntries(Object.entries(after.retries).filter(([name, count]) => before.retries[name] !== count));
  if (last) change.last = last;
  return change;
}

/**
 * Each value as JSON gives it back, as Agent4 was sent it: so every store keeps the same (a Date
 * its ISO string), and no object a handler still holds is stored. A value JSON leaves out (a
 * function, undefined) removes its name. The answer was serialised already, so this cannot throw.
 */
function asJson(state: CallState): CallState {
  return Object.fromEntries(
    Object.entries(state).map(([name, value]) => {
      const json = JSON.stringify(value) as string | undefined;
      return [name, json === undefined ? undefined : (JSON.parse(json) as unknown)];
    }),
  );
}

/**
 * Agent4 reports the call complete: its session ends, whatever the method and body. Again: a no-op.
 * No token: the call's key (a random UUID only Agent4 is told) and its caller line together are
 * the credential, and they end only that call; the token stays out of every answer.
 */
async function callEnded(app: App, key: string, caller: string | null | undefined): Promise<HttpAnswer> {
  try {
    if (caller) await app.store.end(decodeURIComponent(caller), key);
  } catch (error) {
    // A caller header this runtime did not write (undecodable) names no session: nothing to end.
    if (!(error instanceof URIError)) {
      app.logger.error("session store failed to end the call", { key, error: describeThrown(error) });
      return errorAnswer(503, "store_unavailable", "The session store failed; try again");
    }
  }
  return jsonAnswer(200, '{"status":"ended"}');
}

/**
 * Ends the session when this answer ends the call or the chain, else saves what this webhook call
 * changed in it. A store failing here does not change the answer, which is still right: only the
 * state update is lost (or an ended session lingers until its idle TTL), and a duplicate would run again.
 */
async function saveOrEnd(app: App, id: string, key: string, change: SessionChange, payload: Payload, response: TaskchainResponse): Promise<void> {
  const over = endsCall(app, payload, response);
  try {
    if (!over) await app.store.save(id, key, change, app.ttl);
    // An outcome that ends the call is kept, bare, for the window: that is where a repeated order or
    // SMS would do harm. A call's first delivery is always an `initial`, so the same `initial`
    // after its call ended may be the caller ringing again: it ends the session and runs anew.
    else if (change.last !== undefined && payload.action !== "initial") await app.store.end(id, key, { last: { ...change.last, ended: true }, ttlMs: app.duplicateWindowMs });
    else await app.store.end(id, key);
  } catch (error) {
    const message = over ? "session store failed to end the call" : "session store failed to save the call's state";
    app.logger.error(message, { link: payload.name, action: payload.action, error: describeThrown(error) });
  }
}

/** Whether this answer ends the call: also when an outcome does not move on, or the last link moves on (the chain is done). */
function endsCall(app: App, payload: Payload, response: TaskchainResponse): boolean {
  const names = (response.actions ?? []).map((action) => action.name);
  if (payload.action === "interrupt" || names.includes("end_call") || names.includes("transfer_call")) return true;
  if (names.includes("switch_task")) return false;
  if (names.includes("next_task")) return payload.name === app.lastLink;
  return payload.action !== "initial";
}

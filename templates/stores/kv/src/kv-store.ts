// Sessions in Workers KV: every isolate and location that answers a call reads the same session.
import { applyChange, consoleLogger, type Answered, type Logger, type Session, type SessionChange, type SessionStore } from "./taskchain/index.ts";
import { OutageLog, within } from "./taskchain/outage.ts";

/** The part of a Workers KV namespace binding this store uses. */
export interface KvNamespace {
  get(key: string, type: "text"): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
}

/** KV refuses an expirationTtl under 60 seconds. */
const KV_MIN_TTL_SECONDS = 60;

interface Stored {
  session: Session;
  /** Epoch ms: the idle TTL, exact even when it is shorter than KV's 60-second minimum. */
  expires: number;
  /** The call ended (end() with `keep`): save() no longer applies to it. */
  ended?: boolean;
}

/**
 * An unchanged session is not written again this soon after its last write: Agent4 often sends
 * the next link's `initial` right after the previous link's outcome, and KV allows one write per
 * second to a key (more are refused with 429). The idle TTL may then end this much early.
 */
const REWRITE_AFTER_MS = 10_000;

/**
 * A call's last answer (for duplicate deliveries) changes with every webhook call, so it is kept
 * apart from the session, in two keys written in turn: each is written every other webhook call,
 * never twice within KV's second when an outcome's answer is followed at once by an `initial`.
 */
const LAST_SLOTS = [":last0", ":last1"] as const;

/**
 * The memory store's semantics on KV: one session per caller, its key stable for the call, an idle
 * TTL that every saved touch restarts, and KV expiry on every key so nothing grows without bound.
 * One write per key per webhook call at most: open() only reads; the save() or end() dispatch runs
 * after every call writes, and skips a session that did not change since a write moments ago.
 * KV is eventually consistent across locations (a write is seen at once where it was made, within
 * about a minute elsewhere) and has no "set if absent" or conditional write: fine for one call's
 * webhooks, which arrive one after another from the same Agent4 region. A save reads the session
 * again and writes it back with the change applied, so of two webhooks of one call saving at the
 * same moment, one update may be lost. As open() stores nothing, a save finding no session starts
 * it: one that lands after end() deleted the session stores the ended call again for its idle TTL,
 * and a call from the same line within it carries on with that call's state (a save after end()
 * with `keep` is refused). Use a Durable Object for strict ordering.
 */
export class KvSessionStore implements SessionStore {
  readonly #kv: KvNamespace;
  readonly #prefix: string;
  readonly #now: () => number;
  /** Where open() read the last answer (a LAST_SLOTS index), per caller, until the save() or end() that follows. */
  readonly #read = new Map<string, number>();
  readonly #outage: OutageLog;
  readonly #timeoutMs: number;

  constructor(kv: KvNamespace, options: { prefix?: string; now?: () => number; logger?: Logger; timeoutMs?: number } = {}) {
    this.#kv = kv;
    this.#prefix = options.prefix ?? "session:";
    this.#now = options.now ?? Date.now;
    this.#outage = new OutageLog(options.logger ?? consoleLogger, "kv");
    this.#timeoutMs = options.timeoutMs ?? 2_000;
  }

  /** A KV operation, its failure (or no answer within the timeout) logged once per outage and passed on: the caller gets the apology. */
  async #kvCall<T>(work: (kv: KvNamespace) => Promise<T>): Promise<T> {
    try {
      const value = await within(this.#timeoutMs, `no answer from KV within ${this.#timeoutMs} ms`, () => work(this.#kv));
      this.#outage.up();
      return value;
    } catch (error) {
      this.#outage.down(error);
      throw error;
    }
  }

  async open(id: string, fresh: () => Session, _ttlMs: number): Promise<Session> {
    const at = this.#prefix + id;
    const [raw, ...answers] = await this.#kvCall((kv) => Promise.all([at, ...LAST_SLOTS.map((slot) => at + slot)].map((key) => kv.get(key, "text"))));
    const stored = parse(raw ?? null);
    if (stored && stored.expires > this.#now()) {
      // The newer of the two, and only one this call wrote (a slot may outlive its call).
      const lasts = answers.map((text) => parseAnswered(text ?? null, stored.session.key));
      const slot = (lasts[1]?.at ?? -1) > (lasts[0]?.at ?? -1) ? 1 : 0;
      const last = lasts[slot];
      this.#read.set(id, slot);
      return last ? { ...stored.session, last } : stored.session;
    }
    this.#read.delete(id);
    return fresh();
  }

  async save(id: string, key: string, change: SessionChange, ttlMs: number): Promise<void> {
    const now = this.#now();
    const slot = this.#slotAfter(id);
    // Read again: another webhook of the call may have saved since open(), or another call owns it now.
    const stored = live(await this.#kvCall((kv) => kv.get(this.#prefix + id, "text")), now);
    if (stored && (stored.session.key !== key || stored.ended)) return;
    const { last, ...rest } = change;
    const session = applyChange(stored?.session ?? { key, state: {}, retries: {} }, rest);
    const unchanged = stored !== undefined && JSON.stringify(stored.session) === JSON.stringify(session);
    const writtenAt = stored ? stored.expires - ttlMs : -Infinity;
    const recent = now - writtenAt < Math.min(REWRITE_AFTER_MS, ttlMs / 10);
    await this.#write(id, { key, session: unchanged && recent ? undefined : session, last, slot }, ttlMs);
  }

  async end(id: string, key?: string, keep?: { last: Answered; ttlMs: number }): Promise<void> {
    const slot = this.#slotAfter(id);
    const at = this.#prefix + id;
    if (key !== undefined) {
      const stored = live(await this.#kvCall((kv) => kv.get(at, "text")), this.#now());
      // Another call's, or none and nothing to keep: nothing of this call to end.
      if (stored ? stored.session.key !== key : keep === undefined) return;
    }
    if (keep !== undefined && key !== undefined) return this.#write(id, { key, session: { key, state: {}, retries: {} }, ended: true, last: keep.last, slot }, keep.ttlMs);
    await this.#kvCall((kv) => Promise.all([at, ...LAST_SLOTS.map((name) => at + name)].map((name) => kv.delete(name))));
  }

  /** The slot for this webhook call's last answer: not the one open() read (see LAST_SLOTS). */
  #slotAfter(id: string): number {
    const read = this.#read.get(id);
    this.#read.delete(id);
    return read === undefined ? 0 : 1 - read;
  }

  /** Writes the session and the last answer, those given, each with KV expiry. */
  async #write(id: string, { key, session, ended, last, slot }: { key: string; session?: Session | undefined; ended?: boolean; last?: Answered | undefined; slot: number }, ttlMs: number): Promise<void> {
    const at = this.#prefix + id;
    const expirationTtl = Math.max(KV_MIN_TTL_SECONDS, Math.ceil(ttlMs / 1000));
    const writes: Array<Promise<void>> = [];
    if (session) writes.push(this.#kvCall((kv) => kv.put(at, JSON.stringify({ session, expires: this.#now() + ttlMs, ended }), { expirationTtl })));
    if (last) writes.push(this.#kvCall((kv) => kv.put(at + LAST_SLOTS[slot === 1 ? 1 : 0], JSON.stringify({ key, last }), { expirationTtl })));
    await Promise.all(writes);
  }
}

/** A stored session whose idle TTL still runs. */
function live(raw: string | null, now: number): Stored | undefined {
  const stored = parse(raw);
  return stored && stored.expires > now ? stored : undefined;
}

function parse(raw: string | null): Stored | undefined {
  if (raw === null) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<Stored>;
    return typeof value.expires === "number" && typeof value.session?.key === "string" ? (value as Stored) : undefined;
  } catch {
    return undefined;
  }
}

/** A last answer as save() wrote it, if it is the call `key`'s. */
function parseAnswered(raw: string | null, key: string): Answered | undefined {
  try {
    const value = JSON.parse(raw ?? "null") as { key?: unknown; last?: Answered } | null;
    return value?.key === key && typeof value.last?.body === "string" ? value.last : undefined;
  } catch {
    return undefined;
  }
}

// Sessions in Workers KV: every isolate and location that answers a call reads the same session.
import { consoleLogger, type Logger, type Session, type SessionStore } from "./taskchain/index.ts";
import { OutageLog } from "./taskchain/outage.ts";

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
}

/**
 * A session unchanged but for its last answer is not written again this soon after its last write:
 * Agent4 often sends the next link's `initial` right after the previous link's outcome, and KV
 * allows one write per second to a key (more are refused with 429). The idle TTL may then end this
 * much early, and a duplicate of that `initial` runs its handler again.
 */
const REWRITE_AFTER_MS = 10_000;

/**
 * The memory store's semantics on KV: one session per caller, its key stable for the call, an idle
 * TTL that every saved touch restarts, and KV expiry on every key so nothing grows without bound.
 * One write per webhook call at most: open() only reads; the save() or end() dispatch runs after
 * every call writes, and skips a session that did not change since a write moments ago.
 * KV is eventually consistent across locations (a write is seen at once where it was made, within
 * about a minute elsewhere) and has no "set if absent": fine for one call's webhooks, which arrive
 * one after another from the same Agent4 region. Use a Durable Object for strict ordering.
 */
export class KvSessionStore implements SessionStore {
  readonly #kv: KvNamespace;
  readonly #prefix: string;
  readonly #now: () => number;
  /** What open() read, per caller, until the save() or end() that follows. */
  readonly #read = new Map<string, { json: string; last: Session["last"]; expires: number }>();
  readonly #outage: OutageLog;

  constructor(kv: KvNamespace, options: { prefix?: string; now?: () => number; logger?: Logger } = {}) {
    this.#kv = kv;
    this.#prefix = options.prefix ?? "session:";
    this.#now = options.now ?? Date.now;
    this.#outage = new OutageLog(options.logger ?? consoleLogger, "kv");
  }

  /** A KV operation, its failure logged once per outage (and passed on: the caller gets the apology). */
  async #kvCall<T>(work: (kv: KvNamespace) => Promise<T>): Promise<T> {
    try {
      const value = await work(this.#kv);
      this.#outage.up();
      return value;
    } catch (error) {
      this.#outage.down(error);
      throw error;
    }
  }

  async open(id: string, fresh: () => Session, _ttlMs: number): Promise<Session> {
    const stored = parse(await this.#kvCall((kv) => kv.get(this.#prefix + id, "text")));
    if (stored && stored.expires > this.#now()) {
      this.#read.set(id, { json: JSON.stringify(stored.session), last: stored.session.last, expires: stored.expires });
      return stored.session;
    }
    this.#read.delete(id);
    return fresh();
  }

  async save(id: string, session: Session, ttlMs: number): Promise<void> {
    const now = this.#now();
    const read = this.#read.get(id);
    this.#read.delete(id);
    const json = JSON.stringify(session);
    const writtenAt = read ? read.expires - ttlMs : -Infinity;
    // A last answer that ended the call is always written: the next call must not take up this one.
    const unchanged = read !== undefined && (read.json === json || (!session.last?.ended && read.json === JSON.stringify({ ...session, last: read.last })));
    if (unchanged && now - writtenAt < Math.min(REWRITE_AFTER_MS, ttlMs / 10)) return;
    const expirationTtl = Math.max(KV_MIN_TTL_SECONDS, Math.ceil(ttlMs / 1000));
    await this.#kvCall((kv) => kv.put(this.#prefix + id, `{"session":${json},"expires":${now + ttlMs}}`, { expirationTtl }));
  }

  async end(id: string, key?: string): Promise<void> {
    this.#read.delete(id);
    if (key !== undefined && parse(await this.#kvCall((kv) => kv.get(this.#prefix + id, "text")))?.session.key !== key) return;
    await this.#kvCall((kv) => kv.delete(this.#prefix + id));
  }
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

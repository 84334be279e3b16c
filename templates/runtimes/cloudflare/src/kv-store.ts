// Sessions in Workers KV: every isolate and location that answers a call reads the same session.
import type { Session, SessionStore } from "./taskchain/index.js";

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
 * The memory store's semantics on KV: one session per caller, its key stable for the call, an idle
 * TTL that every touch restarts, and KV expiry on every key so nothing grows without bound.
 * KV is eventually consistent across locations (a write is seen at once where it was made, within
 * about a minute elsewhere) and has no "set if absent": fine for one call's webhooks, which arrive
 * one after another from the same Agent4 region. Use a Durable Object for strict ordering.
 */
export class KvSessionStore implements SessionStore {
  readonly #kv: KvNamespace;
  readonly #prefix: string;
  readonly #now: () => number;

  constructor(kv: KvNamespace, options: { prefix?: string; now?: () => number } = {}) {
    this.#kv = kv;
    this.#prefix = options.prefix ?? "session:";
    this.#now = options.now ?? Date.now;
  }

  async open(id: string, fresh: () => Session, ttlMs: number): Promise<Session> {
    const now = this.#now();
    const stored = parse(await this.#kv.get(this.#prefix + id, "text"));
    const session = stored && stored.expires > now ? stored.session : fresh();
    await this.save(id, session, ttlMs);
    return session;
  }

  async save(id: string, session: Session, ttlMs: number): Promise<void> {
    const value: Stored = { session, expires: this.#now() + ttlMs };
    const expirationTtl = Math.max(KV_MIN_TTL_SECONDS, Math.ceil(ttlMs / 1000));
    await this.#kv.put(this.#prefix + id, JSON.stringify(value), { expirationTtl });
  }

  async end(id: string): Promise<void> {
    await this.#kv.delete(this.#prefix + id);
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

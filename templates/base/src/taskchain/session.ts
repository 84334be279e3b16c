// Sessions: what the runtime remembers of one phone call between its webhook calls, and where.
import type { CallState } from "./link.ts";

export interface Session {
  /** The UUID sent as `key` in every answer of this call. */
  key: string;
  state: CallState;
  /** Per-link count of unparseable contexts, so the default fallback cannot loop forever. */
  retries: Record<string, number>;
  /** The call's last answer, so that the same delivery again is answered with it, not run again. */
  last?: Answered;
  /** What `once(name, fn)` returned in this call, by name, so that it runs once per call. */
  once?: Record<string, unknown>;
}

/** An answer as sent, with the delivery it answered (see answeredBefore() in dispatch.ts). */
export interface Answered {
  /** The delivery: link name, action and context. */
  of: string;
  body: string;
  /** When it was sent, in epoch ms. */
  at: number;
  /** It ended the call: the session is kept only to answer a duplicate, and a new call starts afresh. */
  ended?: boolean;
}

/**
 * Where sessions live. In-memory by default; a shared store (Redis, KV, …) when more than one
 * instance answers the same calls. `id` identifies the caller (`call_from` + `call_forwarded_by`).
 * A store that cannot do an operation rejects, within a bounded time, rather than answering from
 * a guess: dispatch then answers the caller with the apology and does not run the handler without
 * the call's state. A store with a backend logs an outage once, not once per call.
 * test/session-store-contract.ts holds every store to this.
 */
export interface SessionStore {
  /**
   * The live session for `id`, or a new one from `fresh()`. Dispatch always follows it with save()
   * or end() for the same `id`, so a store may leave storing a new session and restarting its idle
   * TTL to that call (a store may, to write once per webhook call).
   */
  open(id: string, fresh: () => Session, ttlMs: number): Promise<Session>;
  /** Store the session's new state; its idle TTL starts again. */
  save(id: string, session: Session, ttlMs: number): Promise<void>;
  /** The call is over: forget it. With `key`, only if `id`'s session is still that call (a late notification must not end the next). */
  end(id: string, key?: string): Promise<void>;
  /** Lets go of connections on shutdown, for a store that holds any. */
  close?(): Promise<void>;
}

interface Entry {
  session: Session;
  expires: number;
  /** The state and once-results `size` was measured on: dispatch replaces each object when it changes. */
  measured: [CallState, Session["once"]];
  /** Their size as JSON. */
  dataSize: number;
  size: number;
}

/**
 * Sessions in this process's memory, bounded by `maxSessions`, by `maxBytes` (roughly: 200 bytes a
 * session plus its state and once-results as JSON and its last answer) and by the idle TTL; the
 * least recently used go first. A Map iterates in insertion order and every touch re-inserts, so
 * its first entry is the least recent.
 */
export class MemorySessionStore implements SessionStore {
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;
  readonly #maxSessions: number;
  readonly #maxBytes: number;
  readonly #now: () => number;

  constructor(options: { maxSessions?: number; maxBytes?: number; now?: () => number } = {}) {
    this.#maxSessions = Math.max(1, options.maxSessions ?? 10_000);
    this.#maxBytes = Math.max(1, options.maxBytes ?? 100 * 1024 * 1024);
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** What the sessions held take, as measured for `maxBytes`. */
  get bytes(): number {
    return this.#bytes;
  }

  async open(id: string, fresh: () => Session, ttlMs: number): Promise<Session> {
    const entry = this.#entries.get(id);
    const session = entry && entry.expires > this.#now() ? entry.session : fresh();
    this.#put(id, session, ttlMs);
    return session;
  }

  async save(id: string, session: Session, ttlMs: number): Promise<void> {
    this.#put(id, session, ttlMs);
  }

  async end(id: string, key?: string): Promise<void> {
    const entry = this.#entries.get(id);
    if (entry === undefined || (key !== undefined && entry.session.key !== key)) return;
    this.#entries.delete(id);
    this.#bytes -= entry.size;
  }

  #put(id: string, session: Session, ttlMs: number): void {
    const old = this.#entries.get(id);
    // Measuring serialises the state and once-results, so unchanged ones keep their figure.
    const same = old !== undefined && old.measured[0] === session.state && old.measured[1] === session.once;
    const dataSize = same ? old.dataSize : JSON.stringify(session.state).length + JSON.stringify(session.once ?? {}).length;
    const size = 200 + dataSize + (session.last ? session.last.of.length + session.last.body.length : 0);
    if (old) this.#bytes -= old.size;
    this.#entries.delete(id);
    this.#entries.set(id, { session, expires: this.#now() + ttlMs, measured: [session.state, session.once], dataSize, size });
    this.#bytes += size;
    this.#evict();
  }

  #evict(): void {
    const now = this.#now();
    // Expired entries sit anywhere in the order; drop those at the front, then enforce the caps.
    for (const [id, entry] of this.#entries) {
      if (entry.expires > now && this.#entries.size <= this.#maxSessions && this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(id);
      this.#bytes -= entry.size;
    }
  }
}

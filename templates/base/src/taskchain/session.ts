import type { CallState } from "./link.ts";

/** One phone call as the runtime remembers it between webhook calls. */
export interface Session {
  /** The UUID sent as `key` in every answer of this call. */
  key: string;
  state: CallState;
  /** Per-link count of unparseable contexts, so the default fallback cannot loop forever. */
  retries: Record<string, number>;
}

/**
 * Where sessions live. In-memory by default; a shared store (Redis, KV, …) when more than one
 * instance answers the same calls. `id` identifies the caller (`call_from` + `call_forwarded_by`).
 */
export interface SessionStore {
  /**
   * The live session for `id`, or a new one from `fresh()`. Dispatch always follows it with
   * save() or end() for the same `id`, so open() may leave storing a new session and restarting
   * the idle TTL to that call (the KV store does, to write once per webhook call); a store that can
   * do both in the read (memory, Redis) does them here.
   */
  open(id: string, fresh: () => Session, ttlMs: number): Promise<Session>;
  /** Store the session's new state; its idle TTL starts again. */
  save(id: string, session: Session, ttlMs: number): Promise<void>;
  /** The call is over: forget it. */
  end(id: string): Promise<void>;
}

interface Entry {
  session: Session;
  expires: number;
  /** The state object `size` was measured on: dispatch replaces a call's state when it changes. */
  measured: CallState;
  size: number;
}

/** A session's size in memory, roughly: its JSON in characters, plus what every session costs. */
function sizeOf(session: Session): number {
  return 200 + JSON.stringify(session.state).length;
}

/**
 * Sessions in this process's memory: bounded by `maxSessions` and by `maxBytes` (roughly: the
 * sessions' state as JSON), least recently used evicted first, and by the idle TTL. Map iteration
 * order is insertion order, and every touch re-inserts, so the first entry is always the least
 * recently used. A state is measured when it changes, not on every touch.
 */
export class MemorySessionStore implements SessionStore {
  readonly #entries = new Map<string, Entry>();
  /** The entry put last, i.e. the last in the map's order (unless it was deleted since). */
  #last: Entry | undefined;
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
    const now = this.#now();
    const entry = this.#entries.get(id);
    const session = entry && entry.expires > now ? entry.session : fresh();
    this.#put(id, session, now + ttlMs);
    return session;
  }

  async save(id: string, session: Session, ttlMs: number): Promise<void> {
    // Usually nothing was touched since open() moved this entry to the end: update it in place.
    const last = this.#last;
    if (last !== undefined && last === this.#entries.get(id)) {
      last.session = session;
      last.expires = this.#now() + ttlMs;
      if (session.state !== last.measured) {
        const size = sizeOf(session);
        this.#bytes += size - last.size;
        last.size = size;
        last.measured = session.state;
        this.#evict();
      }
      return;
    }
    this.#put(id, session, this.#now() + ttlMs);
  }

  async end(id: string): Promise<void> {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    this.#entries.delete(id);
    this.#bytes -= entry.size;
  }

  #put(id: string, session: Session, expires: number): void {
    const old = this.#entries.get(id);
    if (old !== undefined) {
      this.#entries.delete(id);
      this.#bytes -= old.size;
    }
    const size = old !== undefined && old.measured === session.state ? old.size : sizeOf(session);
    this.#last = { session, expires, measured: session.state, size };
    this.#entries.set(id, this.#last);
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

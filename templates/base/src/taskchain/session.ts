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
 * What one webhook call changed in its call's session. Each name in `state`, `once` and `retries`
 * replaces the stored one of that name (undefined removes it, as JSON drops it); names not given
 * stay as stored, so two webhooks of one call that update different names both keep theirs. A
 * store may give the names back in another order.
 */
export interface SessionChange {
  state?: CallState;
  once?: Record<string, unknown>;
  retries?: Record<string, number>;
  /** Replaces the stored last answer. */
  last?: Answered;
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
  /**
   * Applies `change` to the stored session in one step, only while it is still the call `key` (or
   * none is stored: then it starts as that call's), so a concurrent update of the same call is kept
   * and a late one from an ended call never writes into the next. Its idle TTL starts again.
   */
  save(id: string, key: string, change: SessionChange, ttlMs: number): Promise<void>;
  /**
   * The call is over: forget it. With `key`, only if `id`'s session is still that call (a late
   * notification must not end the next). With `key` and `keep`, the session is replaced, in one
   * step, by a bare one of that call holding only `keep.last` for `keep.ttlMs`, also when none is
   * stored: a duplicate of the call's last delivery is still answered with it.
   */
  end(id: string, key?: string, keep?: { last: Answered; ttlMs: number }): Promise<void>;
  /** Lets go of connections on shutdown, for a store that holds any. */
  close?(): Promise<void>;
}

/** `session` with `change` applied (see SessionChange); the parts it does not touch are the same objects. */
export function applyChange(session: Session, change: SessionChange): Session {
  const merged: Session = { ...session };
  if (change.state) merged.state = byName(session.state, change.state);
  if (change.once) merged.once = byName(session.once ?? {}, change.once);
  if (change.retries) merged.retries = byName(session.retries, change.retries);
  if (change.last) merged.last = change.last;
  return merged;
}

/** `stored` with `changed`'s names replaced, or removed where undefined (spread, not assignment: a name may be `__proto__`). */
function byName<T>(stored: Record<string, T>, changed: Record<string, T | undefined>): Record<string, T> {
  return Object.fromEntries(Object.entries({ ...stored, ...changed }).filter((entry): entry is [string, T] => entry[1] !== undefined));
}

interface Entry {
  session: Session;
  expires: number;
  /** The state and once-results `size` was measured on: applyChange() replaces each object it changes. */
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
    // Date.now looked up at each call, so that a test's fake clock reaches a store made before it.
    this.#now = options.now ?? (() => Date.now());
  }

  get size(): number {
    return this.#entries.size;
  }

  /** What the sessions held take, as measured for `maxBytes`. */
  get bytes(): number {
    return this.#bytes;
  }

  async open(id: string, fresh: () => Session, ttlMs: number): Promise<Session> {
    const session = this.#live(id) ?? fresh();
    this.#put(id, session, ttlMs);
    // A copy: the held session changes only through save(), as in a shared store.
    return { ...session };
  }

  async save(id: string, key: string, change: SessionChange, ttlMs: number): Promise<void> {
    const held = this.#live(id);
    if (held && held.key !== key) return;
    this.#put(id, applyChange(held ?? { key, state: {}, retries: {} }, change), ttlMs);
  }

  async end(id: string, key?: string, keep?: { last: Answered; ttlMs: number }): Promise<void> {
    const live = this.#live(id);
    if (key !== undefined && live !== undefined && live.key !== key) return;
    if (keep !== undefined && key !== undefined) return this.#put(id, { key, state: {}, retries: {}, last: keep.last }, keep.ttlMs);
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    this.#entries.delete(id);
    this.#bytes -= entry.size;
  }

  #live(id: string): Session | undefined {
    const entry = this.#entries.get(id);
    return entry && entry.expires > this.#now() ? entry.session : undefined;
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

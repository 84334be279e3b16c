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
 * replaces the stored one of that name, and undefined removes the name from the session (Agent4
 * is not told); names not given stay as stored, so two webhooks of one call that update different
 * names both keep theirs, and of two that update the same name the later save wins. Values are
 * JSON as dispatch took them through it (changeOf()), so every store keeps the same. A store may
 * give the names back in another order.
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
   * The live session for `id`, else the one `fresh()` makes, stored before it is handed out (its
   * idle TTL restarts either way), so that save() has a session to apply to. Dispatch follows it
   * with save() or end() for the same `id`, except for a duplicate delivery, answered from the
   * opened session alone. The state and once() results it hands out are the handler's to
   * change: no object of them is one the store holds.
   */
  open(id: string, fresh: () => Session, ttlMs: number): Promise<Session>;
  /**
   * Applies `change` to the stored session in one step, only while it is stored, is the call `key`
   * and has not ended (end() with `keep`), so a concurrent update of the same call is kept, and a
   * late one neither brings an ended call back nor writes into the next. Its idle TTL starts again.
   */
  save(id: string, key: string, change: SessionChange, ttlMs: number): Promise<void>;
  /**
   * The call is over: forget it. With `key`, only if `id`'s session is still that call (a late
   * notification must not end the next). With `key` and `keep`, the session is replaced, in one
   * step, by a bare one of that call holding only `keep.last` for `keep.ttlMs`, also when none is
   * stored: a duplicate of the call's last delivery is still answered with it, and save() no longer
   * applies to it.
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

/**
 * A session as the memory store holds it: its state and once() results as JSON text, so no
 * handler ever holds an object of it (a store with a backend keeps text too).
 */
interface Entry {
  key: string;
  state: string;
  once: string | undefined;
  retries: Record<string, number>;
  last: Answered | undefined;
  /** The call ended (end() with `keep`): save() no longer applies to it. */
  ended: boolean;
  /** Epoch ms: when the idle TTL ends. */
  expires: number;
  /** What it takes, as measured for `maxBytes`. */
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
    const entry = this.#live(id) ?? entryOf(fresh());
    this.#put(id, entry, ttlMs);
    // Parsed anew for every webhook call: a handler that changes its state in place changes
    // nothing stored, as with a shared store. The retry counts and last answer reach no handler.
    const session: Session = { key: entry.key, state: JSON.parse(entry.state) as CallState, retries: entry.retries };
    if (entry.once !== undefined) session.once = JSON.parse(entry.once) as Record<string, unknown>;
    if (entry.last) session.last = entry.last;
    return session;
  }

  async save(id: string, key: string, change: SessionChange, ttlMs: number): Promise<void> {
    const held = this.#live(id);
    if (held === undefined || held.key !== key || held.ended) return;
    // Only the parts the change names are parsed and written again.
    const state = change.state ? JSON.stringify(byName(JSON.parse(held.state) as CallState, change.state)) : held.state;
    const once = change.once ? JSON.stringify(byName(held.once === undefined ? {} : (JSON.parse(held.once) as Record<string, unknown>), change.once)) : held.once;
    const retries = change.retries ? byName(held.retries, change.retries) : held.retries;
    this.#put(id, sized({ key, state, once, retries, last: change.last ?? held.last, ended: false }), ttlMs);
  }

  async end(id: string, key?: string, keep?: { last: Answered; ttlMs: number }): Promise<void> {
    const live = this.#live(id);
    if (key !== undefined && live !== undefined && live.key !== key) return;
    if (keep !== undefined && key !== undefined) return this.#put(id, sized({ key, state: "{}", once: undefined, retries: {}, last: keep.last, ended: true }), keep.ttlMs);
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    this.#entries.delete(id);
    this.#bytes -= entry.size;
  }

  #live(id: string): Entry | undefined {
    const entry = this.#entries.get(id);
    return entry && entry.expires > this.#now() ? entry : undefined;
  }

  /** Holds `entry` for `id` as its most recent, its idle TTL starting now. */
  #put(id: string, entry: Entry, ttlMs: number): void {
    const old = this.#entries.get(id);
    if (old) this.#bytes -= old.size;
    entry.expires = this.#now() + ttlMs;
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    this.#bytes += entry.size;
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

/** A new session as the memory store holds it. */
function entryOf(session: Session): Entry {
  const once = session.once === undefined ? undefined : JSON.stringify(session.once);
  return sized({ key: session.key, state: JSON.stringify(session.state), once, retries: { ...session.retries }, last: session.last, ended: false });
}

/**
 * An entry, measured: 200 bytes, its state and once() results as JSON and its last answer. Written
 * out, not spread: spreading into a literal with more keys made a webhook call's open and save
 * together nearly twice as slow (5 to 9 µs).
 */
function sized({ key, state, once, retries, last, ended }: Omit<Entry, "expires" | "size">): Entry {
  const size = 200 + state.length + (once?.length ?? 2) + (last ? last.of.length + last.body.length : 0);
  return { key, state, once, retries, last, ended, expires: 0, size };
}

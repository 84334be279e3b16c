// Sessions in Redis, for more than one instance of the server (or Lambda): every instance that
// answers a call reads and writes the same session. Needs Redis ≥ 4 (HSET of several fields).
import { createClient } from "@redis/client";
import type { Logger } from "./log.ts";
import { OutageLog } from "./outage.ts";
import type { Answered, Session, SessionChange, SessionStore } from "./session.ts";

type Client = ReturnType<typeof createClient>;

export interface RedisSessionStoreOptions {
  /** `redis://[:password@]host:port[/db]` or `rediss://…` for TLS. */
  url: string;
  /** Prefix of every key this store writes. */
  prefix?: string;
  /**
   * How long one store operation may take (connecting included) before it fails, in ms. A webhook
   * call whose session cannot be read is answered with an apology rather than left hanging until
   * Agent4 gives up. Default 2000.
   */
  timeoutMs?: number;
  /** Where the outage and recovery lines go. */
  logger: Logger;
}

// A session is a hash: `key` (the call's), `last` (its last answer), `ended` once the call has
// ended (end() with keep), and one field per name, `s:` state, `o:` once() result, `r:` retry
// count, each value JSON. A change then sets only its own fields, in a script, so two concurrent
// updates of one call both land, with no JSON decoding in Lua (cjson rounds numbers beyond 14
// digits and turns [] into {}). A value of another type (a session an earlier version stored as one
// JSON string) counts as no session.

/**
 * Opens in one step, so two instances racing on a call's first webhook agree on one key: the
 * stored hash, else (none, or not this store's) the new session's fields (ARGV[2…]) stored; the
 * idle TTL (ARGV[1]) restarts. Either way it hands back what is stored.
 */
const OPEN = `local t = redis.call('TYPE', KEYS[1])['ok']
if t ~= 'hash' or redis.call('HEXISTS', KEYS[1], 'key') == 0 then
  if t ~= 'none' then redis.call('DEL', KEYS[1]) end
  redis.call('HSET', KEYS[1], unpack(ARGV, 2))
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return redis.call('HGETALL', KEYS[1])`;

/**
 * Applies a change while the hash is stored, is the call ARGV[1]'s and has not ended; its idle TTL
 * restarts. Arguments: ARGV[1] the call's key, ARGV[2] the TTL in ms, ARGV[3] the count n of
 * field-value arguments that follow, ARGV[4 … 3+n] those field-value pairs to set, and every
 * argument after them a field to delete.
 */
const SAVE_IF_KEY = `if redis.call('TYPE', KEYS[1])['ok'] ~= 'hash' then return 0 end
local k, ended = unpack(redis.call('HMGET', KEYS[1], 'key', 'ended'))
if k ~= ARGV[1] or ended then return 0 end
local n = 3 + tonumber(ARGV[3])
if n > 3 then redis.call('HSET', KEYS[1], unpack(ARGV, 4, n)) end
if #ARGV > n then redis.call('HDEL', KEYS[1], unpack(ARGV, n + 1)) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/**
 * Replaces the session by an ended one of call ARGV[1] holding only its last answer (ARGV[2]), for
 * ARGV[3] ms, while it is that call's or there is none.
 */
const KEEP_IF_KEY = `if redis.call('TYPE', KEYS[1])['ok'] == 'hash' then
  local k = redis.call('HGET', KEYS[1], 'key')
  if k and k ~= ARGV[1] then return 0 end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'key', ARGV[1], 'last', ARGV[2], 'ended', '1')
return redis.call('PEXPIRE', KEYS[1], ARGV[3])`;

/** Deletes a session only while it is still the call with this key, in one step. */
const END_IF_KEY = `if redis.call('TYPE', KEYS[1])['ok'] == 'hash' and redis.call('HGET', KEYS[1], 'key') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * The same semantics as MemorySessionStore: one session per caller id, a stable key for the call,
 * an idle TTL that every touch restarts, and each save applied in one step (a script), so two
 * webhooks of one call saving different names at once both keep theirs. Redis expiry bounds
 * growth: every key it writes has a TTL, so an abandoned call disappears by itself.
 *
 * Redis down or unreachable: operations fail within `timeoutMs` (commands are not queued while
 * disconnected), the client keeps reconnecting in the background, and the log gets one line when
 * Redis goes away and one when it is back, not one per retry.
 */
export class RedisSessionStore implements SessionStore {
  readonly #client: Client;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #outage: OutageLog;
  #opened = false;
  #closed = false;
  /** Calls waiting for a connection, each until its own deadline: one "ready" listener for all. */
  readonly #waiting = new Set<() => void>();

  constructor(options: RedisSessionStoreOptions) {
    this.#prefix = options.prefix ?? "taskchain:session:";
    this.#timeoutMs = options.timeoutMs ?? 2_000;
    this.#outage = new OutageLog(options.logger, "redis");
    this.#client = createClient({
      url: options.url,
      // Fail at once while disconnected instead of queueing until Redis is back.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: this.#timeoutMs,
        // Never give up (the default stops after a socket timeout); back off to 2 s between tries.
        reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 2_000),
      },
    });
    // Without a listener a lost connection would crash the process; the client reconnects by itself.
    this.#client.on("error", (error: unknown) => this.#outage.down(describe(error)));
    this.#client.on("ready", () => {
      const waiting = [...this.#waiting];
      this.#waiting.clear();
      for (const start of waiting) start();
      this.#outage.up();
    });
  }

  /**
   * `work` on a ready client, failing after timeoutMs (connecting included): one deadline per call,
   * from when it starts. A reply lost on a dead connection would never come. While Redis is away a
   * call waits in #waiting until its deadline and is then dropped from it, so nothing of it is left
   * behind however long the outage lasts.
   */
  #run<T>(work: (client: Client) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error("the Redis session store is closed"));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (done: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        done();
      };
      const start = () => {
        // A Promise constructor turns a synchronous throw of `work` into a rejection.
        new Promise<T>((run) => run(work(this.#client))).then(
          (value) => settle(() => resolve(value)),
          (error: unknown) => settle(() => reject(error)),
        );
      };
      const timer = setTimeout(() => {
        settled = true;
        // Not started yet: it never will be (the call is answered without Redis; writing later
        // would act on a stale request).
        const waited = this.#waiting.delete(start);
        reject(new Error(waited ? `Redis is not reachable (no connection within ${this.#timeoutMs} ms)` : `Redis did not answer within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      if (this.#client.isReady) {
        start();
        return;
      }
      this.#waiting.add(start);
      if (!this.#opened) {
        this.#opened = true;
        // Connects on first use, so creating the store never blocks start-up. Settles only once
        // connected (retries go through reconnectStrategy): not awaited as such.
        this.#client.connect().catch(() => undefined);
      }
    });
  }

  async open(id: string, fresh: () => Session, ttlMs: number): Promise<Session> {
    const session = fresh();
    const { set } = fieldsOf(session);
    const stored = await this.#run((client) => client.eval(OPEN, { keys: [this.#prefix + id], arguments: [ttlOf(ttlMs), "key", session.key, ...set] }));
    const opened = sessionOf(stored as string[]);
    // Cannot happen: OPEN leaves a hash with a key in every case.
    if (opened === undefined) throw new Error(`Redis returned no session for ${this.#prefix + id}`);
    return opened;
  }

  async save(id: string, key: string, change: SessionChange, ttlMs: number): Promise<void> {
    const { set, removed } = fieldsOf(change);
    const args = [key, ttlOf(ttlMs), String(set.length), ...set, ...removed];
    await this.#run((client) => client.eval(SAVE_IF_KEY, { keys: [this.#prefix + id], arguments: args }));
  }

  async end(id: string, key?: string, keep?: { last: Answered; ttlMs: number }): Promise<void> {
    const at = this.#prefix + id;
    if (key === undefined) await this.#run((client) => client.del(at));
    else if (keep === undefined) await this.#run((client) => client.eval(END_IF_KEY, { keys: [at], arguments: [key] }));
    else await this.#run((client) => client.eval(KEEP_IF_KEY, { keys: [at], arguments: [key, JSON.stringify(keep.last), ttlOf(keep.ttlMs)] }));
  }

  /** Closes the connection (graceful shutdown); a store never used has nothing to close. */
  async close(): Promise<void> {
    this.#closed = true;
    if (!this.#client.isOpen) return;
    // close() waits for replies still due; a connection that is down has none coming.
    if (this.#client.isReady) await this.#client.close();
    else this.#client.destroy();
  }
}

/** An error as one line; a refused connection to a name with several addresses is an AggregateError with no message of its own. */
function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length) return error.errors.map(String).join("; ");
  return String(error);
}

const ttlOf = (ttlMs: number): string => String(Math.max(1, Math.round(ttlMs)));

const FIELD = { state: "s:", once: "o:", retries: "r:" } as const;

/** A change's hash fields: field-value pairs to set, and the fields of names it removes (set to undefined). */
function fieldsOf(change: SessionChange): { set: string[]; removed: string[] } {
  const set: string[] = [];
  const removed: string[] = [];
  for (const part of ["state", "once", "retries"] as const) {
    for (const [name, value] of Object.entries(change[part] ?? {})) {
      if (value === undefined) removed.push(FIELD[part] + name);
      else set.push(FIELD[part] + name, JSON.stringify(value));
    }
  }
  if (change.last) set.push("last", JSON.stringify(change.last));
  return { set, removed };
}

/** A session from its hash, as the flat field-value list a script returns; a field that is not JSON is left out. */
function sessionOf(fields: string[]): Session | undefined {
  const parts = { state: [] as Array<[string, unknown]>, once: [] as Array<[string, unknown]>, retries: [] as Array<[string, unknown]> };
  let key: string | undefined;
  let last: Answered | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [field, text] = [fields[i]!, fields[i + 1]!];
    if (field === "key") key = text;
    const value = field === "key" ? undefined : parsed(text);
    const part = (["state", "once", "retries"] as const).find((name) => field.startsWith(FIELD[name]));
    if (field === "last") last = value as Answered | undefined;
    else if (part && value !== undefined) parts[part].push([field.slice(2), value]);
  }
  if (key === undefined) return undefined;
  // fromEntries, not assignment: a name may be `__proto__`.
  const session: Session = { key, state: Object.fromEntries(parts.state), retries: Object.fromEntries(parts.retries) as Record<string, number> };
  if (parts.once.length) session.once = Object.fromEntries(parts.once);
  if (last) session.last = last;
  return session;
}

function parsed(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A RedisSessionStore when `REDIS_URL` is set; undefined means the in-memory store. A URL that is
 * not a Redis URL throws one line naming REDIS_URL (a connection that fails later does not throw).
 */
export function redisStoreFromEnv(env: Record<string, string | undefined>, logger: Logger): RedisSessionStore | undefined {
  const url = env.REDIS_URL?.trim();
  if (!url) return undefined;
  try {
    return new RedisSessionStore({ url, prefix: env.REDIS_PREFIX || undefined, logger });
  } catch (error) {
    // The URL as given may carry a password: name the variable, not its value.
    throw new Error(`REDIS_URL is not a Redis URL (expected redis://host:6379 or rediss://…): ${error instanceof Error ? error.message : String(error)}`);
  }
}

// Sessions in Redis, for more than one instance of the server (or Lambda): every instance that
// answers a call reads and writes the same session. Needs Redis ≥ 6.2 (GETEX).
import { createClient } from "@redis/client";
import type { Logger } from "./log.ts";
import { OutageLog } from "./outage.ts";
import type { Session, SessionStore } from "./session.ts";

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

/** Deletes a session only while it is still the call with this key, in one step. */
const END_IF_KEY = "local s = redis.call('GET', KEYS[1]) if s and cjson.decode(s).key == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/**
 * The same semantics as MemorySessionStore: one session per caller id, a stable key for the call,
 * an idle TTL that every touch restarts. Redis expiry (PX) bounds growth: every key it writes has
 * a TTL, so an abandoned call disappears by itself.
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

  open(id: string, create: () => Session, ttlMs: number): Promise<Session> {
    const key = this.#prefix + id;
    const ttl = Math.max(1, Math.round(ttlMs));
    return this.#run(async (client) => {
      const fresh = create();
      // SET NX: when two instances race on a call's first webhook, exactly one session is created
      // and both answer with its key. Otherwise read it and restart its TTL in one command.
      for (let attempt = 0; attempt < 3; attempt++) {
        const created = await client.set(key, JSON.stringify(fresh), { condition: "NX", expiration: { type: "PX", value: ttl } });
        if (created !== null) return fresh;
        const raw = await client.getEx(key, { type: "PX", value: ttl });
        if (raw !== null) return parseSession(raw) ?? fresh;
        // It expired or ended between the two commands: try to create it again.
      }
      return fresh;
    });
  }

  async save(id: string, session: Session, ttlMs: number): Promise<void> {
    const value = JSON.stringify(session);
    await this.#run((client) => client.set(this.#prefix + id, value, { expiration: { type: "PX", value: Math.max(1, Math.round(ttlMs)) } }));
  }

  async end(id: string, key?: string): Promise<void> {
    const at = this.#prefix + id;
    await this.#run((client) => (key === undefined ? client.del(at) : client.eval(END_IF_KEY, { keys: [at], arguments: [key] })));
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

function parseSession(raw: string): Session | undefined {
  try {
    const value = JSON.parse(raw) as Partial<Session>;
    if (typeof value.key !== "string") return undefined;
    return { ...value, key: value.key, state: value.state ?? {}, retries: value.retries ?? {} };
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

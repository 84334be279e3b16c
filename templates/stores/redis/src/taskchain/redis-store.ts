// Sessions in Redis, for more than one instance of the server (or Lambda): every instance that
// answers a call reads and writes the same session. Needs Redis ≥ 6.2 (GETEX).
import { createClient } from "@redis/client";
import type { Session, SessionStore } from "./session.js";

type Client = ReturnType<typeof createClient>;

export interface RedisSessionStoreOptions {
  /** `redis://[:password@]host:port[/db]` or `rediss://…` for TLS. */
  url: string;
  /** Prefix of every key this store writes. */
  prefix?: string;
}

/**
 * The same semantics as MemorySessionStore: one session per caller id, a stable key for the call,
 * an idle TTL that every touch restarts. Redis expiry (PX) bounds growth: every key it writes has
 * a TTL, so an abandoned call disappears by itself.
 */
export class RedisSessionStore implements SessionStore {
  readonly #client: Client;
  readonly #prefix: string;
  #connecting: Promise<unknown> | undefined;

  constructor(options: RedisSessionStoreOptions) {
    this.#prefix = options.prefix ?? "taskchain:session:";
    this.#client = createClient({ url: options.url });
    // Without a listener a lost connection would crash the process; the client reconnects by itself.
    this.#client.on("error", (error: unknown) => {
      console.error(JSON.stringify({ level: "error", message: "redis error", error: String(error) }));
    });
  }

  /** Connects on first use, so creating the store never blocks start-up. A failed connect is retried by the next call. */
  async #ready(): Promise<Client> {
    this.#connecting ??= this.#client.connect().catch((error: unknown) => {
      this.#connecting = undefined;
      throw error;
    });
    await this.#connecting;
    return this.#client;
  }

  async open(id: string, create: () => Session, ttlMs: number): Promise<Session> {
    const client = await this.#ready();
    const fresh = create();
    const key = this.#prefix + id;
    const ttl = Math.max(1, Math.round(ttlMs));
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
  }

  async save(id: string, session: Session, ttlMs: number): Promise<void> {
    const client = await this.#ready();
    await client.set(this.#prefix + id, JSON.stringify(session), { expiration: { type: "PX", value: Math.max(1, Math.round(ttlMs)) } });
  }

  async end(id: string): Promise<void> {
    const client = await this.#ready();
    await client.del(this.#prefix + id);
  }

  /** Closes the connection (graceful shutdown). */
  async close(): Promise<void> {
    if (this.#connecting === undefined) return;
    await this.#connecting.catch(() => undefined);
    if (this.#client.isOpen) await this.#client.close();
  }
}

function parseSession(raw: string): Session | undefined {
  try {
    const value = JSON.parse(raw) as Partial<Session>;
    if (typeof value.key !== "string") return undefined;
    return { key: value.key, state: value.state ?? {}, retries: value.retries ?? {} };
  } catch {
    return undefined;
  }
}

/** A RedisSessionStore when `REDIS_URL` is set; undefined means the in-memory store. */
export function redisStoreFromEnv(env: Record<string, string | undefined>): RedisSessionStore | undefined {
  const url = env.REDIS_URL?.trim();
  return url ? new RedisSessionStore({ url, prefix: env.REDIS_PREFIX || undefined }) : undefined;
}

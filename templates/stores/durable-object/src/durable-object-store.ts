// Sessions in Durable Objects: each caller line's session in its own CallSession object
// (src/session-object.ts), reached from any isolate and any location by the line's id.
import { consoleLogger, type Answered, type Logger, type Session, type SessionChange, type SessionStore } from "./taskchain/index.ts";
import { OutageLog, within } from "./taskchain/outage.ts";

/** What a CallSession stub answers over RPC. */
export interface CallSessionStub {
  open(candidate: Session, ttlMs: number): Promise<Session>;
  save(key: string, change: SessionChange, ttlMs: number): Promise<void>;
  end(key?: string, keep?: { last: Answered; ttlMs: number }): Promise<void>;
}

/** The part of a Durable Object namespace binding this store uses. */
export interface CallSessionNamespace<Id = unknown> {
  idFromName(name: string): Id;
  get(id: Id): CallSessionStub;
}

/**
 * The memory store's semantics, kept in one place per caller line: the line's object reads and
 * writes its own storage, one request at a time, so a call's webhooks see each other's writes at
 * once wherever they arrive, two that save different names at once both keep theirs, and two that
 * race on the call's first webhook get one key. The object checks the idle TTL on every read, and
 * an alarm deletes its storage when the TTL runs out.
 */
export class DurableObjectSessionStore implements SessionStore {
  readonly #namespace: CallSessionNamespace;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #outage: OutageLog;

  constructor(namespace: CallSessionNamespace, options: { prefix?: string; timeoutMs?: number; logger?: Logger } = {}) {
    this.#namespace = namespace;
    this.#prefix = options.prefix ?? "";
    this.#timeoutMs = options.timeoutMs ?? 2_000;
    this.#outage = new OutageLog(options.logger ?? consoleLogger, "durable object sessions");
  }

  open(id: string, fresh: () => Session, ttlMs: number): Promise<Session> {
    return this.#call(id, (object) => object.open(fresh(), ttlMs));
  }

  save(id: string, key: string, change: SessionChange, ttlMs: number): Promise<void> {
    return this.#call(id, (object) => object.save(key, change, ttlMs));
  }

  end(id: string, key?: string, keep?: { last: Answered; ttlMs: number }): Promise<void> {
    return this.#call(id, (object) => object.end(key, keep));
  }

  /**
   * One call to the line's object, on a stub of its own (a stub that has thrown stays broken);
   * a failure, or no answer within the timeout, is logged once per outage and passed on, so the
   * caller gets the apology.
   */
  async #call<T>(id: string, work: (object: CallSessionStub) => Promise<T>): Promise<T> {
    try {
      const object = this.#namespace.get(this.#namespace.idFromName(this.#prefix + id));
      const value = await within(this.#timeoutMs, `no answer from the session's Durable Object within ${this.#timeoutMs} ms`, () => work(object));
      this.#outage.up();
      return value;
    } catch (error) {
      this.#outage.down(error);
      throw error;
    }
  }
}

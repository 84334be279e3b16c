// One Durable Object per caller line (its name is the session id): the single place a call's session
// lives, so every webhook of the call, from whichever Cloudflare location it reaches the worker,
// reads what the one before it wrote. Cloudflare runs each object in one place, and lets no other
// request in while one waits on the object's storage (its input gate): that makes `open` a "get or
// create" two racing webhooks agree on, and each `save` a read and write no other request comes
// between, so two webhooks of one call saving different names at once both keep theirs. Nothing but
// storage may be awaited between a method's get and its put: any other await (a fetch, a timer)
// opens the input gate, and another request could then write in between.
import { DurableObject } from "cloudflare:workers";
import { applyChange, type Answered, type Session, type SessionChange } from "./taskchain/index.ts";

interface Stored {
  session: Session;
  /** Epoch ms: when the idle TTL ends, unless a save restarts it. */
  expires: number;
  /** The call ended (end() with `keep`): save() no longer applies to it. */
  ended?: boolean;
}

const KEY = "session";

export class CallSession extends DurableObject {
  /** The live session, else `candidate`, stored as this line's call. */
  async open(candidate: Session, ttlMs: number): Promise<Session> {
    const live = await this.#live();
    if (live) return live.session;
    await this.#store(candidate, ttlMs);
    return candidate;
  }

  /** Applies a webhook call's change while the stored session is call `key`'s and has not ended; its idle TTL starts again. */
  async save(key: string, change: SessionChange, ttlMs: number): Promise<void> {
    const live = await this.#live();
    if (!live || live.session.key !== key || live.ended) return;
    await this.#store(applyChange(live.session, change), ttlMs);
  }

  /** Forgets the call; with `key`, only while the stored session is still that call; with `keep`, keeps a bare one with its last answer. */
  async end(key?: string, keep?: { last: Answered; ttlMs: number }): Promise<void> {
    const live = await this.#live();
    if (key !== undefined && live && live.session.key !== key) return;
    if (key !== undefined && keep !== undefined) return this.#store({ key, state: {}, retries: {}, last: keep.last }, keep.ttlMs, true);
    if (key !== undefined && !live) return;
    await this.#forget();
  }

  /** The idle TTL is over: the object's storage goes, so an abandoned line costs nothing. */
  async alarm(): Promise<void> {
    const stored = await this.ctx.storage.get<Stored>(KEY);
    if (stored && stored.expires > Date.now()) await this.ctx.storage.setAlarm(stored.expires);
    else await this.#forget();
  }

  /** The stored session while its TTL runs; reads check it themselves, as an alarm may run late. */
  async #live(): Promise<Stored | undefined> {
    const stored = await this.ctx.storage.get<Stored>(KEY);
    return stored && stored.expires > Date.now() ? stored : undefined;
  }

  async #store(session: Session, ttlMs: number, ended = false): Promise<void> {
    const expires = Date.now() + ttlMs;
    await this.ctx.storage.put<Stored>(KEY, { session, expires, ended });
    // One alarm per object: setting it moves the one a previous save set.
    await this.ctx.storage.setAlarm(expires);
  }

  async #forget(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
  }
}

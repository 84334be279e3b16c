// Where this worker keeps its calls' sessions: one Durable Object per caller line (the SESSIONS
// binding and its class in wrangler.jsonc), so every webhook of a call reads what the last one wrote,
// wherever it arrives. `npx create-taskchain sessions kv` replaces this file with Workers KV.
import { memoryStoreFromEnv, type Env } from "./app.ts";
import { DurableObjectSessionStore, type CallSessionNamespace } from "./durable-object-store.ts";
import type { SessionStore } from "./taskchain/index.ts";

// Cloudflare finds a Durable Object class among the worker's exports: server.ts re-exports this.
export { CallSession } from "./session-object.ts";

/** The bindings this store reads from the worker's env. */
export interface SessionBindings {
  SESSIONS?: CallSessionNamespace;
}

// Without the binding (a worker started without wrangler.jsonc), sessions live in this isolate's
// memory, bounded by MAX_SESSIONS and SESSION_MEMORY_MB: not for production, where Cloudflare runs
// many isolates.
let memory: SessionStore | undefined;

/** The default export, so that server.ts's `export *` (which skips it) gives the worker no extra entrypoint. */
export default function sessionStoreFor(bindings: SessionBindings, vars: Env): SessionStore {
  return bindings.SESSIONS ? new DurableObjectSessionStore(bindings.SESSIONS) : (memory ??= memoryStoreFromEnv(vars));
}

// Where this worker keeps its calls' sessions: in the SESSIONS KV namespace bound in wrangler.jsonc,
// which every isolate and location reads. `npx create-taskchain sessions durable-object` replaces
// this file with one Durable Object per caller line, for calls that must never read a stale session.
import { memoryStoreFromEnv, type Env } from "./app.ts";
import { KvSessionStore, type KvNamespace } from "./kv-store.ts";
import type { SessionStore } from "./taskchain/index.ts";

/** The bindings this store reads from the worker's env. */
export interface SessionBindings {
  SESSIONS?: KvNamespace;
}

// Without the binding, sessions live in this isolate's memory, bounded by MAX_SESSIONS and
// SESSION_MEMORY_MB as on node: fine for a quick local run, not for production (Cloudflare runs
// many isolates).
let memory: SessionStore | undefined;

/** The default export, so that server.ts's `export *` (which skips it) gives the worker no extra entrypoint. */
export default function sessionStoreFor(bindings: SessionBindings, vars: Env): SessionStore {
  return bindings.SESSIONS ? new KvSessionStore(bindings.SESSIONS) : (memory ??= memoryStoreFromEnv(vars));
}

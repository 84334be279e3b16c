// The environment createApp() was configured with, for code that needs it at request time (API
// keys, phone numbers). Links read it here rather than from process.env: Cloudflare Workers has
// no process.env, and tests configure apps with plain records.
// Kept apart from app.ts on purpose: links importing app.ts would form an import cycle with the
// chain registry.

export type Env = Record<string, string | undefined>;

let current: Readonly<Env> = {};

/** Called by createApp(env); the most recent call wins. */
export function setEnv(env: Env): void {
  current = env;
}

/** The current environment record. Read it per request, not at module load. */
export function getEnv(): Readonly<Env> {
  return current;
}

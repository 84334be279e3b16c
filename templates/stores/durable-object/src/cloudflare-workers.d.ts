// The part of Cloudflare's `cloudflare:workers` module src/session-object.ts uses, declared here so
// the project type-checks without @cloudflare/workers-types (`npx wrangler types` generates the whole
// runtime's types, should you want them; then delete this file).
declare module "cloudflare:workers" {
  interface DurableObjectStorage {
    get<T>(key: string): Promise<T | undefined>;
    put<T>(key: string, value: T): Promise<void>;
    deleteAll(): Promise<void>;
    setAlarm(scheduledTime: number): Promise<void>;
    deleteAlarm(): Promise<void>;
  }

  interface DurableObjectState {
    readonly storage: DurableObjectStorage;
  }

  /** A Durable Object class: only one that extends this takes RPC calls on its stubs. */
  export abstract class DurableObject<Env = unknown> {
    protected readonly ctx: DurableObjectState;
    protected readonly env: Env;
    constructor(ctx: DurableObjectState, env: Env);
  }
}

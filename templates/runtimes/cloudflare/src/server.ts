// The cloudflare runtime: a Workers module. Vars and secrets (TASKCHAIN_TOKEN, …) come from the
// worker's env; sessions live where src/sessions.ts keeps them, through the SESSIONS binding in
// wrangler.jsonc.
import { createApp, type Env } from "./app.ts";
import sessionStoreFor, { type SessionBindings } from "./sessions.ts";
import { consoleLogger, describeThrown, MAX_BODY_BYTES, type HttpAnswer, type Taskchain } from "./taskchain/index.ts";

// Cloudflare finds a Durable Object class among the worker's exports: whatever src/sessions.ts
// exports by name is the worker's too (its default, the store factory, is not).
export * from "./sessions.ts";

/** The worker's bindings: string vars and secrets, plus the session store's. */
export interface WorkerEnv extends SessionBindings {
  [name: string]: unknown;
}

const apps = new WeakMap<object, Taskchain>();

function appFor(env: WorkerEnv): Taskchain {
  let app = apps.get(env);
  if (!app) {
    const vars: Env = {};
    for (const [name, value] of Object.entries(env)) if (typeof value === "string") vars[name] = value;
    app = createApp(vars, { store: sessionStoreFor(env, vars) });
    apps.set(env, app);
  }
  return app;
}

/**
 * The body, or undefined when it is over MAX_BODY_BYTES. With a Content-Length (checked before) the
 * platform holds the body to it; without one (a streamed upload) it is read in pieces and what is
 * past the limit thrown away, rather than held whole however large it grows. The rest is still
 * read to its end: answering mid-upload makes wrangler dev fail the next request (503).
 */
async function readBody(request: Request): Promise<Uint8Array | undefined> {
  if (request.headers.has("content-length") || request.body === null) return new Uint8Array(await request.arrayBuffer());
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size <= MAX_BODY_BYTES) chunks.push(read.value);
    else chunks.length = 0;
  }
  if (size > MAX_BODY_BYTES) return undefined;
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

function toResponse(answer: HttpAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/** What Workers hands each request beside its env: `waitUntil` keeps a late session save going after the answer. */
export interface WorkerContext {
  waitUntil(work: Promise<unknown>): void;
}

export async function handleRequest(request: Request, env: WorkerEnv, context?: WorkerContext): Promise<Response> {
  const app = appFor(env);
  try {
    const url = new URL(request.url);
    const head = {
      method: request.method,
      url: url.pathname + url.search,
      authorization: request.headers.get("authorization"),
      contentEncoding: request.headers.get("content-encoding"),
      caller: request.headers.get("x-taskchain-caller"),
    };
    let text: string | undefined;
    if (request.method === "POST") {
      // Health, the token and the encoding come first, as on every runtime.
      const tooLarge = async () => toResponse((await app.gate(head)) ?? app.error(413, "payload_too_large", "The request body is over 1 MiB"));
      if (Number(request.headers.get("content-length")) > MAX_BODY_BYTES) return tooLarge();
      // A streamed body is read only for a caller the gate lets through.
      if (!request.headers.has("content-length")) {
        const early = app.gate(head);
        if (early) return toResponse(await early);
      }
      const bytes = await readBody(request);
      if (bytes === undefined || bytes.byteLength > MAX_BODY_BYTES) return tooLarge();
      text = new TextDecoder().decode(bytes);
    }
    const answer = await app.handle({ ...head, body: text === undefined ? undefined : { text } }, context && { waitUntil: (work) => context.waitUntil(work) });
    return toResponse(answer);
  } catch (error) {
    consoleLogger.error("request failed", { error: describeThrown(error) });
    return toResponse(app.error(500, "internal_error", "The webhook failed to answer"));
  }
}

export default {
  fetch: (request: Request, env: WorkerEnv, context: WorkerContext) => handleRequest(request, env, context),
};

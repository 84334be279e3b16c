// The webhook fuzz over HTTP through every runtime's own adapter, not only node:http's: Express,
// Fastify and Hono parse and limit bodies themselves, the Lambda handler sits behind the local
// API Gateway stand-in, and the Workers handler gets web Requests with streamed bodies. Each
// generated project is installed (cached) and its server runs in this process, so a prototype
// polluted by a framework's parser or by state merging shows up in the checks here. Properties as
// in test/integration/fuzz-webhook.test.ts: never a 5xx or a crash, always a JSON error or a valid
// response, 413 past 1 MiB (streamed or not), and the victim's call keeps its key and state.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { commitNewProject } from "../../src/fs/changeset.js";
import { generateProject } from "../../src/generate/project.js";
import { defaultParameters, ProjectSpecSchema, type Runtime } from "../../src/spec/spec.js";
import type { Taskchain } from "../../templates/base/src/taskchain/index.js";
import { fuzzMalformedHttp, fuzzServer, HttpTarget } from "../helpers/hostile.js";
import { runs } from "../helpers/deep.js";
import { installProject, tempDir } from "../helpers/project.js";

const TOKEN = "fuzz-adapter-token";
const LINKS = ["pin_vetting", "sms_vetting", "constructor"] as const;
const RUNTIMES: Runtime[] = ["express", "fastify", "hono", "lambda", "cloudflare"];
const parent = tempDir("taskchain-fuzz-adapters-");
const tried: Record<string, number> = {};

afterAll(() => {
  console.log(`fuzz-adapters inputs tried: ${JSON.stringify(tried)}`);
});

async function project(runtime: Runtime): Promise<string> {
  const dir = path.join(parent, runtime);
  const spec = ProjectSpecSchema.parse({
    packageName: `fuzz-${runtime}`,
    runtime,
    // The worker runs in this process, not in workerd: its store is KV's (unbound: memory), whose
    // module loads in Node as a Durable Object class from cloudflare:workers would not.
    ...(runtime === "cloudflare" ? { sessions: "kv" } : {}),
    baseUrl: "https://hooks.example.com",
    trigger: "fuzz",
    links: LINKS.map((name) => ({ name, prompt: `Prompt for ${name}`, parameters: { ...defaultParameters(), qualified: [{ name: "code", type: "string", description: "The code." }] } })),
  });
  await commitNewProject(generateProject(spec, dir));
  installProject(dir);
  return dir;
}

type Import = <T>(rel: string) => Promise<T>;

async function listening(server: Server): Promise<number> {
  if (!server.listening) await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** The runtime's own server for the project's app, on an ephemeral port of this process. */
async function start(runtime: Runtime, dir: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const load: Import = (rel) => import(path.join(dir, rel));
  const app = async () => (await load<{ createApp: (env: Record<string, string>) => Taskchain }>("src/app.ts")).createApp({ TASKCHAIN_TOKEN: TOKEN });
  switch (runtime) {
    case "express": {
      const { createExpressApp } = await load<{ createExpressApp: (app: Taskchain) => { listen: (port: number, host: string) => Server } }>("src/server.ts");
      const server = createExpressApp(await app()).listen(0, "127.0.0.1");
      return { port: await listening(server), stop: () => close(server) };
    }
    case "fastify": {
      type Fastify = { listen: (o: { port: number; host: string }) => Promise<string>; server: Server; close: () => Promise<void> };
      const { createFastifyApp } = await load<{ createFastifyApp: (app: Taskchain) => Fastify }>("src/server.ts");
      const server = createFastifyApp(await app());
      await server.listen({ port: 0, host: "127.0.0.1" });
      return { port: await listening(server.server), stop: () => server.close() };
    }
    case "hono": {
      const { createHonoApp } = await load<{ createHonoApp: (app: Taskchain) => { fetch: unknown } }>("src/server.ts");
      // @hono/node-server from the project's own dependencies, as its main.ts uses it.
      const nodeServer = createRequire(path.join(dir, "package.json")).resolve("@hono/node-server");
      const { serve } = (await import(nodeServer)) as { serve: (o: { fetch: unknown; port: number; hostname: string }) => Server };
      const server = serve({ fetch: createHonoApp(await app()).fetch, port: 0, hostname: "127.0.0.1" });
      return { port: await listening(server), stop: () => close(server) };
    }
    case "lambda": {
      const { createLambdaHandler } = await load<{ createLambdaHandler: (app: Taskchain) => unknown }>("src/server.ts");
      const { createGateway } = await load<{ createGateway: (handler: unknown) => Server }>("src/gateway.ts");
      const server = createGateway(createLambdaHandler(await app())).listen(0, "127.0.0.1");
      return { port: await listening(server), stop: () => close(server) };
    }
    case "cloudflare": {
      // The worker's fetch handler, given what workerd gives it: a web Request whose body streams in.
      const { handleRequest } = await load<{ handleRequest: (request: Request, env: Record<string, unknown>) => Promise<Response> }>("src/server.ts");
      const env = { TASKCHAIN_TOKEN: TOKEN };
      const server = createServer(async (req, res) => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
        const streams = req.method !== "GET" && req.method !== "HEAD";
        const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, ...(streams ? { body: Readable.toWeb(req) as ReadableStream, duplex: "half" } : {}) } as RequestInit);
        const response = await handleRequest(request, env);
        // Answered before its body was all in: the rest is not read, so the connection cannot carry
        // another request (kept alive, the client's next one would wait out the keep-alive timeout).
        res.writeHead(response.status, { ...Object.fromEntries(response.headers), ...(req.complete ? {} : { connection: "close" }) });
        res.end(Buffer.from(await response.arrayBuffer()));
        if (!streams) req.resume();
      });
      server.listen(0, "127.0.0.1");
      return { port: await listening(server), stop: () => close(server) };
    }
    default:
      throw new Error(`no in-process server for ${runtime}`);
  }
}

describe.each(RUNTIMES)("webhook fuzz through the %s adapter", (runtime) => {
  it("answers every hostile request with a JSON error or a valid response, and keeps the victim's session", async () => {
    const dir = await project(runtime);
    const { port, stop } = await start(runtime, dir);
    const target = new HttpTarget(port);
    try {
      // fetch's Request refuses TRACE (a forbidden method), so the Workers handler never sees one.
      // Express's body parser and the worker throw away the rest of a body over the limit and
      // answer once it has ended; API Gateway holds whole requests (up to 10 MB) before Lambda.
      const answersAfterBody = runtime === "express" || runtime === "cloudflare" || runtime === "lambda";
      const gatesAfterBody = runtime === "lambda";
      const sent = await fuzzServer(target, { links: LINKS, token: TOKEN, numRuns: runs(20, 80), skipMethods: runtime === "cloudflare" ? ["TRACE"] : [], answersAfterBody, gatesAfterBody });
      const malformed = await fuzzMalformedHttp(target, LINKS[0], 20);
      tried[runtime] = sent + malformed;
      expect(sent).toBeGreaterThan(runs(20, 80));
    } finally {
      target.close();
      await stop();
    }
  });
});

// Sessions beyond one process: for every node-based runtime, two server processes share one
// redis-server (REDIS_URL). One phone call whose webhooks alternate between them keeps one key and
// its merged state; the next call gets a new key.
import { createClient } from "@redis/client";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitNewProject } from "../../src/fs/changeset.js";
import { generateProject } from "../../src/generate/project.js";
import { defaultParameters, ProjectSpecSchema, type Runtime } from "../../src/spec/spec.js";
import { ResponseSchema, type TaskchainResponse } from "../../templates/base/src/taskchain/protocol.js";
import { freePort, installProject, run, serve, tempDir, type Served, projectNode } from "../helpers/project.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";

const token = "e2e-redis-secret";
const RUNTIMES = ["node", "express", "fastify", "hono", "lambda"] as const satisfies readonly Runtime[];

let redis: RedisServer;
let raw: ReturnType<typeof createClient>;
const running: Served[] = [];

beforeAll(async () => {
  redis = await startRedis();
  raw = createClient({ url: redis.url });
  await raw.connect();
});
afterAll(async () => {
  for (const s of running) await s.stop("SIGKILL");
  if (raw?.isOpen) await raw.close();
  await redis?.stop();
});

async function generate(runtime: Runtime): Promise<string> {
  const dir = path.join(tempDir("taskchain-redis-"), `shared-${runtime}`);
  const spec = ProjectSpecSchema.parse({
    packageName: `shared-${runtime}`,
    runtime,
    sessions: "redis",
    baseUrl: "https://hooks.example.com",
    trigger: "check my order",
    links: [
      { name: "pin_vetting", prompt: "Ask for the PIN.", parameters: { ...defaultParameters(), qualified: [{ name: "pin", type: "string", description: "The PIN." }] } },
      { name: "order_status", prompt: "Tell them where the order is.", parameters: defaultParameters() },
    ],
  });
  await commitNewProject(generateProject(spec, dir));
  installProject(dir);
  return dir;
}

async function startInstance(runtime: Runtime, dir: string): Promise<Served> {
  const port = await freePort();
  const env = { PORT: String(port), HOST: "127.0.0.1", TASKCHAIN_TOKEN: token, REDIS_URL: redis.url, REDIS_PREFIX: `e2e:${runtime}:` };
  // `npm start`'s command; lambda: the built bundle (what Lambda runs) behind the local API Gateway stand-in.
  const args = runtime === "lambda" ? ["src/local.ts", "dist/index.mjs"] : ["src/main.ts"];
  const served = await serve(projectNode(), args, dir, env, `http://127.0.0.1:${port}`);
  running.push(served);
  return served;
}

async function post(server: Served, body: Record<string, unknown>): Promise<TaskchainResponse> {
  const res = await fetch(`${server.url}/${String(body.name)}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return ResponseSchema.parse(await res.json());
}

describe.each(RUNTIMES)("two %s processes sharing one redis-server", (runtime) => {
  it("keep one key for a call whose webhooks alternate between them, and give the next call a new key", async () => {
    const dir = await generate(runtime);
    if (runtime === "lambda") {
      const build = run("npm", ["run", "build", "--silent"], dir);
      expect(build.code, build.stdout + build.stderr).toBe(0);
    }
    const [a, b] = [await startInstance(runtime, dir), await startInstance(runtime, dir)];
    const caller = { call_from: "+15125550142", call_forwarded_by: "+15128888888" };
    const sessionKey = `e2e:${runtime}:${caller.call_from.length}:${caller.call_from}:${caller.call_forwarded_by}`; // dispatch.ts sessionId()

    const first = await post(a, { name: "pin_vetting", action: "initial", ...caller });
    const again = await post(b, { name: "pin_vetting", action: "initial", ...caller });
    expect(again.key).toBe(first.key);

    const qualified = await post(a, { name: "pin_vetting", action: "qualified", ...caller, context: { pin: "4321" } });
    expect(qualified.key).toBe(first.key);
    expect(qualified.actions?.map((x) => x.name)).toEqual(["next_task"]);
    // The merged state lives in Redis, a field per state name, with the idle TTL as its expiry.
    const stored = await raw.hGetAll(sessionKey);
    expect(stored.key).toBe(first.key);
    expect(JSON.parse(stored["s:pin_vetting"]!)).toEqual({ pin: "4321" });
    expect(Object.keys(stored).filter((field) => field.startsWith("s:"))).toEqual(["s:pin_vetting"]);
    const ttl = await raw.pTTL(sessionKey);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30 * 60 * 1000);

    const next = await post(b, { name: "order_status", action: "initial", ...caller });
    expect(next.key).toBe(first.key);
    const ending = { name: "order_status", action: "disqualified", ...caller, context: { reason: "caller left" } };
    const over = await post(a, ending);
    expect(over.key).toBe(first.key);
    expect(over.actions?.map((x) => x.name)).toEqual(["end_call"]);
    // What is left is the answer alone, marked ended, for a duplicate of it on any instance, for 30 s: none of the call's state.
    const kept = await raw.hGetAll(sessionKey);
    expect(Object.keys(kept).sort()).toEqual(["ended", "key", "last"]);
    expect(kept.key).toBe(first.key);
    expect(JSON.parse(kept.last!)).toMatchObject({ ended: true });
    expect(await raw.pTTL(sessionKey)).toBeLessThanOrEqual(30_000);
    expect(await post(b, ending)).toEqual(over);

    const newCall = await post(b, { name: "pin_vetting", action: "initial", ...caller });
    expect(newCall.key).not.toBe(first.key);
    expect((await post(a, { name: "pin_vetting", action: "initial", ...caller })).key).toBe(newCall.key);

    for (const server of [a, b]) expect(await server.stop("SIGTERM"), server.output()).toBe(0);
  });
});

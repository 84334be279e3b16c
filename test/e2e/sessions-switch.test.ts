// `create-taskchain sessions` on installed projects (Node 22): a node project (and an express one in the deep run)
// written with memory sessions is green, switched to Redis is green with its own tests running
// the store contract on a real redis-server, and switched back is green without any Redis code.
// In the deep run a lambda project likewise moves from Redis to DynamoDB (its contract on dynalite) to
// memory, and a cloudflare project from KV to Durable Objects (its contract on its own CallSession in
// workerd) and back.
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { createClient } from "@redis/client";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEEP } from "../helpers/deep.js";
import { startDynalite, type Dynalite } from "../helpers/dynalite.js";
import { expectProjectGreen, installProject, run, runCli, tempDir } from "../helpers/project.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";

let redis: RedisServer;
let raw: ReturnType<typeof createClient>;
let dynamo: Dynalite;
beforeAll(async () => {
  redis = await startRedis();
  if (DEEP) dynamo = await startDynalite();
  raw = createClient({ url: redis.url });
  await raw.connect();
});
afterAll(async () => {
  if (raw?.isOpen) await raw.close();
  await redis?.stop();
  await dynamo?.stop();
});

/** Switches the project's store with the built CLI and installs its new dependency set. */
function switchTo(dir: string, store: string): void {
  const r = runCli(["sessions", store], { cwd: dir });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toContain(`to ${store}`);
  rmSync(path.join(dir, "node_modules"), { force: true }); // a link to the cached install of the old dependency set
  installProject(dir);
}

const dependencies = (dir: string) => Object.keys(JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")).dependencies as object);

// A node-process server does not touch its store: express repeats node's switch in the deep run only.
describe.each(DEEP ? ["node", "express"] : ["node"])("%s project", (runtime) => {
  const dir = path.join(tempDir("taskchain-switch-"), `switch-${runtime}`);

  it("stays green switched from memory to Redis and back", async () => {
    const made = runCli([dir, "--link", "pin_vetting,sms_vetting", "--runtime", runtime, "--yes", "--no-install", "--no-git"]);
    expect(made.code, made.stderr).toBe(0);
    installProject(dir);
    // As created it is green in runtimes.test.ts; the deep run checks this copy too.
    if (DEEP) expectProjectGreen(dir, { REDIS_URL: undefined });

    switchTo(dir, "redis");
    expect(dependencies(dir)).toContain("@redis/client");
    const prefix = "test:*";
    expect(await raw.keys(prefix)).toEqual([]);
    expectProjectGreen(dir, { REDIS_URL: redis.url });
    // The project's contract ran on this redis-server: a session it kept is still there.
    expect((await raw.keys(prefix)).length).toBeGreaterThan(0);
    await raw.flushAll();

    switchTo(dir, "memory");
    expect(dependencies(dir)).not.toContain("@redis/client");
    expect(existsSync(path.join(dir, "src/taskchain/redis-store.ts"))).toBe(false);
    expectProjectGreen(dir, { REDIS_URL: undefined });
  });
});

// The same command on the other platforms' stores, in the deep run.
if (DEEP) {
  describe("lambda project", () => {
    const dir = path.join(tempDir("taskchain-switch-"), "switch-lambda");

    it("stays green moved from Redis to DynamoDB and on to memory, and its bundle builds", async () => {
      const made = runCli([dir, "--link", "pin_vetting,sms_vetting", "--runtime", "lambda", "--sessions", "redis", "--yes", "--no-install", "--no-git"]);
      expect(made.code, made.stderr).toBe(0);
      expect(dependencies(dir)).toContain("@redis/client");

      switchTo(dir, "dynamodb");
      expect(dependencies(dir)).toEqual(["@aws-sdk/client-dynamodb", "zod"]);
      const env = { ...dynamo.env, DYNAMODB_TABLE: dynamo.table, DYNAMODB_ENDPOINT: dynamo.endpoint, REDIS_URL: undefined };
      expectProjectGreen(dir, env);
      // The project's contract ran on dynalite: a session it kept is still there.
      const client = new DynamoDBClient(dynamo.client);
      const { Items } = await client.send(new ScanCommand({ TableName: dynamo.table }));
      client.destroy();
      expect(Items?.some((item) => item.id?.S?.startsWith("test:"))).toBe(true);
      const build = run("npm", ["run", "build", "--silent"], dir);
      expect(build.code, build.stderr).toBe(0);

      switchTo(dir, "memory");
      expect(dependencies(dir)).toEqual(["zod"]);
      expectProjectGreen(dir, { REDIS_URL: undefined });
    });
  });

  describe("cloudflare project", () => {
    const dir = path.join(tempDir("taskchain-switch-"), "switch-cloudflare");

    it("stays green moved from KV to Durable Objects and back, and its worker builds each way", async () => {
      const made = runCli([dir, "--link", "pin_vetting,sms_vetting", "--runtime", "cloudflare", "--sessions", "kv", "--yes", "--no-install", "--no-git"]);
      expect(made.code, made.stderr).toBe(0);
      installProject(dir);

      switchTo(dir, "durable-object");
      expect(readFileSync(path.join(dir, "wrangler.jsonc"), "utf8")).toContain('"new_sqlite_classes": ["CallSession"]');
      const objects = expectProjectGreen(dir);
      expect(objects.test.stdout + objects.test.stderr).toMatch(/durable-object-sessions\.test\.ts \(\d+ tests/);
      // wrangler's own bundle and config check: the class it binds is among the worker's exports.
      const build = run("npm", ["run", "build", "--silent"], dir);
      expect(build.code, build.stdout + build.stderr).toBe(0);
      expect(build.stdout + build.stderr).toMatch(/env\.SESSIONS \(CallSession\)/);

      switchTo(dir, "kv");
      expect(existsSync(path.join(dir, "src/session-object.ts"))).toBe(false);
      const kv = expectProjectGreen(dir);
      expect(kv.test.stdout + kv.test.stderr).toMatch(/kv-sessions\.test\.ts \(\d+ tests/);
      expect(run("npm", ["run", "build", "--silent"], dir).code).toBe(0);
    });
  });
}

// The session store contract (templates/base/test/session-store-contract.ts) on the Redis and
// DynamoDB stores a generated project gets, against a real redis-server and dynalite (DynamoDB's
// API, through the real AWS SDK v3 client), each stopped and restarted for the outage case.
// The in-memory store runs it in test/unit; KV and Durable Objects run it in workerd in the
// cloudflare projects that keep their sessions there (test/e2e/runtimes.test.ts).
import { rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { silentLogger, type Logger, type SessionStore } from "../../templates/base/src/taskchain/index.js";
import { describeSessionStore } from "../../templates/base/test/session-store-contract.js";
import { defaultParameters } from "../../src/spec/spec.js";
import { generateInRepo } from "../helpers/in-repo-project.js";
import { startDynalite, type Dynalite } from "../helpers/dynalite.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";

type RedisStore = SessionStore & { close(): Promise<void> };
interface StoreModule {
  RedisSessionStore: new (options: { url: string; prefix?: string; timeoutMs?: number; logger: Logger }) => RedisStore;
}
interface DynamoModule {
  DynamoSessionStore: new (options: { table: string; prefix?: string; timeoutMs?: number; logger: Logger; client?: object }) => RedisStore;
}

let dir: string | undefined;
let lambdaDir: string | undefined;
let mod: StoreModule;
let dynamoMod: DynamoModule;
let redis: RedisServer;
let dynamo: Dynalite;
const made: RedisStore[] = [];
let prefixes = 0;

beforeAll(async () => {
  dir = await generateInRepo("session-stores", [{ name: "pin_vetting", prompt: "Ask for the PIN.", parameters: defaultParameters() }], "redis");
  mod = (await import(pathToFileURL(path.join(dir, "src/taskchain/redis-store.ts")).href)) as StoreModule;
  redis = await startRedis();
  lambdaDir = await generateInRepo("session-stores-dynamodb", [{ name: "pin_vetting", prompt: "Ask for the PIN.", parameters: defaultParameters() }], "dynamodb", "lambda");
  dynamoMod = (await import(pathToFileURL(path.join(lambdaDir, "src/taskchain/dynamodb-store.ts")).href)) as DynamoModule;
  dynamo = await startDynalite();
});
afterAll(async () => {
  await Promise.all(made.map((store) => store.close()));
  await redis?.stop();
  await dynamo?.stop();
  for (const folder of [dir, lambdaDir]) if (folder) rmSync(folder, { recursive: true, force: true });
});

describeSessionStore("RedisSessionStore on redis-server", {
  make(logger) {
    // A short operation timeout keeps the outage case quick: each failed call waits this long.
    const store = new mod.RedisSessionStore({ url: redis.url, prefix: `contract:${prefixes++}:`, timeoutMs: 300, logger });
    made.push(store);
    return store;
  },
  outage: {
    start: () => redis.stop(),
    async end() {
      redis = await startRedis(redis.port);
    },
  },
});

describeSessionStore("DynamoSessionStore on dynalite", {
  make(logger) {
    const client = dynamo.client;
    const store = new dynamoMod.DynamoSessionStore({ table: dynamo.table, prefix: `contract:${prefixes++}:`, timeoutMs: 300, logger, client });
    made.push(store);
    return store;
  },
  outage: {
    start: () => dynamo.stop(),
    async end() {
      dynamo = await startDynalite(dynamo.port);
    },
  },
});

it("DynamoSessionStore: two instances racing on a call's first webhook agree on one key", async () => {
  const client = dynamo.client;
  const prefix = `race:${prefixes++}:`;
  const [one, two] = [0, 1].map(() => new dynamoMod.DynamoSessionStore({ table: dynamo.table, prefix, logger: silentLogger, client }));
  made.push(one!, two!);
  for (let call = 0; call < 20; call++) {
    const fresh = (key: string) => () => ({ key, state: {}, retries: {} });
    const [a, b] = await Promise.all([one!.open(`caller-${call}`, fresh("one"), 60_000), two!.open(`caller-${call}`, fresh("two"), 60_000)]);
    expect(a.key).toBe(b.key);
  }
});

it("DynamoSessionStore: a save DynamoDB refuses (an item over 400 KB) fails alone, logged as no outage", async () => {
  const errors: string[] = [];
  const logger = { ...silentLogger, error: (message: string) => void errors.push(message) };
  const store = new dynamoMod.DynamoSessionStore({ table: dynamo.table, prefix: `big:${prefixes++}:`, logger, client: dynamo.client });
  made.push(store);
  const session = await store.open("caller", () => ({ key: "k", state: {}, retries: {} }), 60_000);
  await expect(store.save("caller", session.key, { state: { blob: "x".repeat(500_000) } }, 60_000)).rejects.toThrow(/size/);
  expect((await store.open("caller", () => ({ key: "other", state: {}, retries: {} }), 60_000)).key).toBe("k");
  expect(errors).toEqual([]);
});

it("warns once, on Lambda, when no shared store is configured and sessions fall back to the instance's memory", async () => {
  type SessionsModule = { sessionStoreFromEnv: (env: Record<string, string | undefined>, logger: Logger) => RedisStore };
  for (const [folder, variable] of [[lambdaDir!, "DYNAMODB_TABLE"], [dir!, "REDIS_URL"]] as const) {
    const { sessionStoreFromEnv } = (await import(pathToFileURL(path.join(folder, "src/sessions.ts")).href)) as SessionsModule;
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (message: string) => void warnings.push(message) };
    sessionStoreFromEnv({}, logger);
    expect(warnings).toEqual([]);
    sessionStoreFromEnv({ AWS_LAMBDA_FUNCTION_NAME: "webhook" }, logger);
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^${variable} is not set: sessions are kept in this Lambda instance's memory`))]);
  }
});

// Where a project keeps its sessions: `create --sessions` and `create-taskchain sessions <store>`.
// Switching must leave exactly the project create would have written with that store, both ways.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resolveCreate } from "../../src/commands/create.js";
import { run as sessions } from "../../src/commands/sessions.js";
import { UserError } from "../../src/errors.js";
import { commitNewProject } from "../../src/fs/changeset.js";
import { generateProject } from "../../src/generate/project.js";
import { defaultParameters, defaultPrompt, ProjectSpecSchema, type Runtime, type SessionStoreName } from "../../src/spec/spec.js";
import { hashOf } from "../../src/generate/owned.js";
import { storeOf } from "../../src/edit/sessions.js";
import { read, runCommand, snapshot, write } from "./edit-helpers.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "taskchain-sessions-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let made = 0;

/** A fresh project in its own folder, always named "p" so two projects compare byte for byte. */
async function project(runtime: Runtime, store?: SessionStoreName): Promise<string> {
  const root = path.join(scratch, String(made++), "p");
  const spec = ProjectSpecSchema.parse({
    packageName: "p",
    runtime,
    ...(store ? { sessions: store } : {}),
    baseUrl: "https://hooks.example.com",
    trigger: "help",
    links: ["pin_vetting", "schedule"].map((name) => ({ name, prompt: defaultPrompt(name), parameters: defaultParameters() })),
  });
  await commitNewProject(generateProject(spec, root));
  return root;
}

let out = "";
beforeEach(() => {
  out = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
});
afterEach(() => vi.restoreAllMocks());

describe("create --sessions", () => {
  it("writes no Redis code or dependency without redis, and the store and its dependency with it", async () => {
    const memory = await project("node");
    expect(JSON.parse(read(memory, "package.json"))).toMatchObject({ taskchain: { sessions: "memory" } });
    const files = [...snapshot(memory).entries()];
    // The README's sessions section says how to switch; no code or manifest names Redis's client or store.
    expect(files.filter(([file, text]) => file !== "README.md" && (text.includes("@redis/client") || text.includes("redis-store")))).toEqual([]);
    expect(files.map(([file]) => file)).toContain("src/sessions.ts");
    expect(read(memory, ".env.example")).not.toContain("REDIS_URL");

    const redis = await project("node", "redis");
    expect(JSON.parse(read(redis, "package.json")).dependencies).toHaveProperty("@redis/client");
    expect(read(redis, "src/sessions.ts")).toContain('from "./taskchain/redis-store.ts"');
    expect(read(redis, "src/main.ts")).toContain('from "./sessions.ts"');
    expect(read(redis, ".env.example")).toContain("REDIS_URL=");
  });

  it("defaults to each runtime's store: memory on a server, DynamoDB on Lambda, a Durable Object on Workers", async () => {
    for (const [runtime, store] of [["express", "memory"], ["lambda", "dynamodb"], ["cloudflare", "durable-object"]] as const) {
      expect(JSON.parse(read(await project(runtime), "package.json")).taskchain.sessions).toBe(store);
    }
  });

  it("refuses a store the runtime cannot use in one line, before anything is written", async () => {
    const cwd = mkdtempSync(path.join(scratch, "refused-"));
    const attempts = [
      { runtime: "cloudflare", sessions: "redis", message: '--sessions "redis" is not a session store for cloudflare: cloudflare takes durable-object or kv' },
      { runtime: "node", sessions: "kv", message: '--sessions "kv" is not a session store for node: node takes memory or redis' },
      { sessions: "kv", message: '--sessions "kv" is not a session store for node: node takes memory or redis' },
      { runtime: "lambda", sessions: "dynamo", message: '--sessions "dynamo" is not one of memory, redis, kv, dynamodb, durable-object' },
      { runtime: "express", sessions: "dynamodb", message: '--sessions "dynamodb" is not a session store for express: express takes memory or redis' },
    ];
    for (const { message, ...flags } of attempts) {
      await expect(resolveCreate({ dir: "p", link: ["a"], ...flags }, { cwd, interactive: false })).rejects.toThrow(new UserError(message));
      expect(snapshot(cwd).size).toBe(0);
    }
  });
});

describe("create-taskchain sessions", () => {
  it("switches a node project to Redis and back: each time exactly what create writes with that store", async () => {
    const root = await project("node");
    const before = snapshot(root);
    expect(await sessions({ store: "redis", cwd: root })).toBe(0);
    expect(out).toContain("Sessions moved from memory to redis");
    expect(snapshot(root)).toEqual(snapshot(await project("node", "redis")));
    expect(await sessions({ store: "memory", cwd: root })).toBe(0);
    expect(snapshot(root)).toEqual(before);
  });

  it("switches a lambda project from Redis to memory and back", async () => {
    const root = await project("lambda", "redis");
    const before = snapshot(root);
    await sessions({ store: "memory", cwd: root });
    expect(snapshot(root)).toEqual(snapshot(await project("lambda", "memory")));
    await sessions({ store: "redis", cwd: root });
    expect(snapshot(root)).toEqual(before);
  });

  it("moves a lambda project from Redis to DynamoDB and on to memory: each time what create writes with that store", async () => {
    const root = await project("lambda", "redis");
    await sessions({ store: "dynamodb", cwd: root });
    const dynamo = snapshot(root);
    expect(dynamo).toEqual(snapshot(await project("lambda", "dynamodb")));
    expect(JSON.parse(dynamo.get("package.json")!).dependencies).toHaveProperty("@aws-sdk/client-dynamodb");
    expect(dynamo.get("README.md")).toContain("TimeToLiveSpecification: { AttributeName: expires, Enabled: true }");
    await sessions({ store: "memory", cwd: root });
    expect(snapshot(root)).toEqual(snapshot(await project("lambda", "memory")));
  });

  it("moves a cloudflare project from KV to Durable Objects and back: each time what create writes with that store", async () => {
    const root = await project("cloudflare", "kv");
    const before = snapshot(root);
    expect(await sessions({ store: "durable-object", cwd: root })).toBe(0);
    expect(out).toContain("Sessions moved from kv to durable-object");
    const objects = snapshot(root);
    expect(objects).toEqual(snapshot(await project("cloudflare", "durable-object")));
    expect(objects.get("wrangler.jsonc")).toContain('"durable_objects": { "bindings": [{ "name": "SESSIONS", "class_name": "CallSession" }] }');
    expect(objects.get("wrangler.jsonc")).not.toContain("kv_namespaces");
    expect([...objects.keys()].filter((file) => /kv/.test(file))).toEqual([]);
    expect(objects.get("src/sessions.ts")).toContain('export { CallSession } from "./session-object.ts";');
    await sessions({ store: "kv", cwd: root });
    expect(snapshot(root)).toEqual(before);
  });

  it("takes the KV binding with the user's namespace id out of wrangler.jsonc; refuses one it cannot find unless --force", async () => {
    const root = await project("cloudflare", "kv");
    write(root, "wrangler.jsonc", read(root, "wrangler.jsonc").replace("replace-with-your-kv-namespace-id", "0f2ac74b498b48028cb68387c421e279"));
    await sessions({ store: "durable-object", cwd: root });
    expect(read(root, "wrangler.jsonc")).toBe(read(await project("cloudflare", "durable-object"), "wrangler.jsonc"));

    const edited = await project("cloudflare", "kv");
    write(edited, "wrangler.jsonc", read(edited, "wrangler.jsonc").replace('"binding": "SESSIONS"', '"binding": "CALLS"'));
    const before = snapshot(edited);
    await expect(sessions({ store: "durable-object", cwd: edited })).rejects.toThrow(
      /^wrangler\.jsonc no longer binds SESSIONS as create-taskchain wrote it for kv sessions: pass --force to move the code and then bind SESSIONS for durable-object in wrangler\.jsonc yourself$/,
    );
    expect(snapshot(edited)).toEqual(before);
    await sessions({ store: "durable-object", cwd: edited, force: true });
    expect(read(edited, "wrangler.jsonc")).toBe(before.get("wrangler.jsonc"));
    expect(read(edited, "src/sessions.ts")).toContain("CallSession");
  });

  it("refuses a project whose entry imports its store itself (no src/sessions.ts: written before it existed), pointing at upgrade", async () => {
    const root = await project("cloudflare", "kv");
    rmSync(path.join(root, "src/sessions.ts"));
    const before = snapshot(root);
    await expect(sessions({ store: "durable-object", cwd: root })).rejects.toThrow(/^src\/sessions\.ts is missing, so the entry file would still import the kv store: run `create-taskchain upgrade` first/);
    expect(snapshot(root)).toEqual(before);
  });

  it("is read from the files of a project written before package.json recorded it", async () => {
    const scratchRoot = mkdtempSync(path.join(scratch, "unrecorded-"));
    const asWritten = (files: string[]) => {
      rmSync(scratchRoot, { recursive: true, force: true });
      for (const file of files) {
        mkdirSync(path.dirname(path.join(scratchRoot, file)), { recursive: true });
        write(scratchRoot, file, "");
      }
      return { root: scratchRoot, baseUrl: "https://x.test", settings: {} };
    };
    expect(storeOf(asWritten(["src/kv-store.ts", "test/kv-sessions.test.ts"]), "cloudflare")).toBe("kv");
    expect(storeOf(asWritten(["src/taskchain/redis-store.ts"]), "lambda")).toBe("redis");
    expect(storeOf(asWritten(["src/taskchain/redis-store.ts"]), "node")).toBe("redis");
    expect(storeOf(asWritten(["src/server.ts"]), "cloudflare")).toBe("durable-object");
    expect(storeOf({ ...asWritten(["src/kv-store.ts"]), settings: { sessions: "durable-object" } }, "cloudflare")).toBe("durable-object");
  });

  it("is kept by upgrade: a Durable Object project's store files are brought current, never swapped for KV's", async () => {
    const root = await project("cloudflare", "durable-object");
    // As an earlier version wrote them: the record matches the files as they are.
    const pkg = JSON.parse(read(root, "package.json"));
    for (const file of ["src/session-object.ts", "src/server.ts"]) {
      const earlier = `${read(root, file)}// an earlier version\n`;
      write(root, file, earlier);
      pkg.taskchain.owned[file] = hashOf(earlier);
    }
    write(root, "package.json", `${JSON.stringify(pkg, null, 2)}\n`);
    const ran = await runCommand("upgrade", { cwd: root });
    expect(ran.err).toBe("");
    expect(snapshot(root)).toEqual(snapshot(await project("cloudflare", "durable-object")));
  });

  it("prints the diff and writes nothing with --dry-run; says so when the store is already the one", async () => {
    const root = await project("hono");
    const before = snapshot(root);
    await sessions({ store: "redis", cwd: root, dryRun: true });
    expect(out).toContain("create  src/taskchain/redis-store.ts");
    expect(out).toContain('+    "@redis/client"');
    expect(snapshot(root)).toEqual(before);
    out = "";
    await sessions({ store: "memory", cwd: root });
    expect(out).toBe("Sessions already live in memory: nothing to change\n");
    expect(snapshot(root)).toEqual(before);
  });

  it("refuses in one line, changing nothing: a store the runtime cannot use, an unknown one, a project it cannot read", async () => {
    const node = await project("node");
    const worker = await project("cloudflare", "kv");
    const cases: Array<[string, string, RegExp]> = [
      [node, "kv", /^"kv" is not a session store for node: node takes memory or redis$/],
      [worker, "memory", /^"memory" is not a session store for cloudflare: cloudflare takes durable-object or kv$/],
      [node, "durable-object", /^"durable-object" is not a session store for node: node takes memory or redis$/],
      [node, "mongo", /^unknown session store "mongo": expected one of memory, redis, kv, dynamodb, durable-object$/],
    ];
    for (const [root, store, message] of cases) {
      const before = snapshot(root);
      await expect(sessions({ store, cwd: root })).rejects.toThrow(message);
      expect(snapshot(root)).toEqual(before);
    }
    const pkg = JSON.parse(read(node, "package.json"));
    delete pkg.taskchain.runtime;
    write(node, "package.json", JSON.stringify(pkg));
    await expect(sessions({ store: "redis", cwd: node })).rejects.toThrow(/^cannot tell this project's runtime: package\.json "taskchain"\.runtime is missing/);
    pkg.taskchain.runtime = "node";
    delete pkg.taskchain.sessions;
    write(node, "package.json", JSON.stringify(pkg));
    await expect(sessions({ store: "redis", cwd: node })).rejects.toThrow(/^cannot tell where this project keeps its sessions/);
  });

  it("keeps a store file the user changed unless --force", async () => {
    const root = await project("fastify", "redis");
    write(root, "src/taskchain/redis-store.ts", `${read(root, "src/taskchain/redis-store.ts")}// mine\n`);
    const before = snapshot(root);
    await expect(sessions({ store: "memory", cwd: root })).rejects.toThrow(
      /^src\/taskchain\/redis-store\.ts is not as create-taskchain wrote it for redis sessions: move your changes out of it, or pass --force to replace it$/,
    );
    expect(snapshot(root)).toEqual(before);
    await sessions({ store: "memory", cwd: root, force: true });
    expect(snapshot(root)).toEqual(snapshot(await project("fastify", "memory")));
  });
});

// `create-taskchain sessions` on installed projects (Node 22): a node and an express project
// written with memory sessions are green, switched to Redis are green with their own tests running
// the store contract on a real redis-server, and switched back are green without any Redis code.
import { createClient } from "@redis/client";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectProjectGreen, installProject, runCli, tempDir } from "../helpers/project.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";

let redis: RedisServer;
let raw: ReturnType<typeof createClient>;
beforeAll(async () => {
  redis = await startRedis();
  raw = createClient({ url: redis.url });
  await raw.connect();
});
afterAll(async () => {
  if (raw?.isOpen) await raw.close();
  await redis?.stop();
});

/** Switches the project's store with the built CLI and installs its new dependency set. */
function switchTo(dir: string, store: string): void {
  const r = runCli(["sessions", store], { cwd: dir });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toContain(`to ${store}`);
  rmSync(path.join(dir, "node_modules")); // a link to the cached install of the old dependency set
  installProject(dir);
}

const dependencies = (dir: string) => Object.keys(JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")).dependencies as object);

describe.each(["node", "express"])("%s project", (runtime) => {
  const dir = path.join(tempDir("taskchain-switch-"), `switch-${runtime}`);

  it("stays green switched from memory to Redis and back", async () => {
    const made = runCli([dir, "--link", "pin_vetting,sms_vetting", "--runtime", runtime, "--yes", "--no-install", "--no-git"]);
    expect(made.code, made.stderr).toBe(0);
    installProject(dir);
    expectProjectGreen(dir, { REDIS_URL: undefined });

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

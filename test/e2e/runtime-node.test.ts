// A generated two-link node project installs, type-checks, passes its own tests,
// serves real HTTP and answers the reference page's example payload with a valid response.
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitNewProject } from "../../src/fs/changeset.js";
import { generateProject } from "../../src/generate/project.js";
import { defaultParameters, ProjectSpecSchema } from "../../src/spec/spec.js";
import { ResponseSchema } from "../../templates/base/src/taskchain/protocol.js";
import { expectProjectGreen, freePort, installProject, run, serve, tempDir, type Served, projectNode } from "../helpers/project.js";

const token = "e2e-secret";
let dir: string;
let served: Served | undefined;

beforeAll(async () => {
  dir = path.join(tempDir(), "two-links");
  const spec = ProjectSpecSchema.parse({
    packageName: "two-links",
    runtime: "node",
    // Redis sessions: the REDIS_URL tests below need the store; unset, it keeps sessions in memory.
    sessions: "redis",
    baseUrl: "https://hooks.example.com",
    trigger: "check my order",
    links: [
      {
        name: "first_link",
        prompt: "Ask for the caller's timeslot.",
        parameters: { ...defaultParameters(), qualified: [{ name: "timeslot", type: "string", description: "The timeslot selected by the user." }] },
      },
      { name: "sms_vetting", prompt: "Ask for the code we texted.", parameters: defaultParameters() },
    ],
  });
  await commitNewProject(generateProject(spec, dir));
  installProject(dir);
});

afterAll(async () => {
  await served?.stop();
});

describe("generated node project", () => {
  it("type-checks (strict) and passes its own tests", () => {
    const { test } = expectProjectGreen(dir);
    expect(test.stdout + test.stderr).toMatch(/Tests\s+\d+ passed/);
  });

  it("serves real HTTP and answers the reference's example payload with a valid response", async () => {
    const port = await freePort();
    // `npm start` runs exactly this; started without npm so the exit code below is the server's own.
    served = await serve(projectNode(), ["src/main.ts"], dir, { PORT: String(port), HOST: "127.0.0.1", TASKCHAIN_TOKEN: token }, `http://127.0.0.1:${port}`);
    const res = await fetch(`${served.url}/first_link?token=${token}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "first_link", action: "initial", call_from: "+15129999999", call_forwarded_by: "+15128888888", context: { key: "value" } }),
    });
    expect(res.status).toBe(200);
    const response = ResponseSchema.parse(await res.json());
    expect(response.content).toBe("Ask for the caller's timeslot.");
    expect(response.qualified_parameters).toEqual({
      properties: { timeslot: { type: "string", description: "The timeslot selected by the user." } },
      required: ["timeslot"],
    });
  });

  it("passes its own contract suite against the running server", () => {
    const r = run("npx", ["vitest", "run"], dir, { TASKCHAIN_URL: served!.url, TASKCHAIN_TOKEN: token });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it("shuts down gracefully on SIGTERM", async () => {
    const code = await served!.stop("SIGTERM");
    const output = served!.output();
    served = undefined;
    expect(code).toBe(0);
    expect(output).toMatch(/SIGTERM: closing/);
  });

  it("reads .env when it starts, and the environment still wins", async () => {
    const port = await freePort();
    writeFileSync(path.join(dir, ".env"), `PORT=${port}\nHOST=127.0.0.1\nTASKCHAIN_TOKEN=from-dotenv\n`);
    const url = `http://127.0.0.1:${port}`;
    const initial = (query: string) =>
      fetch(`${url}/first_link${query}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "first_link", action: "initial", call_from: "+15129999999", call_forwarded_by: "" }),
      }).then((r) => r.status);
    try {
      // PORT, HOST and the token come from .env alone.
      const fromFile = await serve(projectNode(), ["src/main.ts"], dir, { PORT: undefined, HOST: undefined, TASKCHAIN_TOKEN: undefined }, url);
      try {
        expect(await initial("")).toBe(401);
        expect(await initial("?token=from-dotenv")).toBe(200);
      } finally {
        await fromFile.stop();
      }
      const overridden = await serve(projectNode(), ["src/main.ts"], dir, { PORT: undefined, HOST: undefined, TASKCHAIN_TOKEN: token }, url);
      try {
        expect(await initial("?token=from-dotenv")).toBe(401);
        expect(await initial(`?token=${token}`)).toBe(200);
      } finally {
        await overridden.stop();
      }
    } finally {
      rmSync(path.join(dir, ".env"));
    }
  });

  it("exits 1 with one line naming REDIS_URL when it is not a Redis URL", () => {
    const r = run(projectNode(), ["src/main.ts"], dir, { PORT: "0", HOST: "127.0.0.1", REDIS_URL: "redis-cache:6379" });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines, r.stderr).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "error", message: expect.stringMatching(/^REDIS_URL is not a Redis URL/) });
  });

  it("serves with REDIS_URL pointing nowhere: every webhook call gets the apology, and the log one line for the outage", async () => {
    const [port, nowhere] = [await freePort(), await freePort()];
    const env = { PORT: String(port), HOST: "127.0.0.1", TASKCHAIN_TOKEN: token, REDIS_URL: `redis://127.0.0.1:${nowhere}` };
    const server = await serve(projectNode(), ["src/main.ts"], dir, env, `http://127.0.0.1:${port}`);
    try {
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${server.url}/first_link?token=${token}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: "first_link", action: "initial", call_from: "+15125550111", call_forwarded_by: "" }),
        });
        expect(res.status).toBe(200);
        expect(ResponseSchema.parse(await res.json()).content).toMatch(/sorry/i);
      }
      expect(server.output().match(/redis unavailable/g), server.output()).toHaveLength(1);
    } finally {
      expect(await server.stop("SIGTERM"), server.output()).toBe(0);
    }
  });
});

// `--example shipstation` on every runtime installs, type-checks and passes the
// project's own tests (the example's links through the runtime's contract target, and against a
// fake ShipStation on 127.0.0.1 for V1 and V2). On node, the real server is also started with
// process.env pointing at the fake, and a call walks both links over HTTP.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commitNewProject } from "../../src/fs/changeset.js";
import { generateProject } from "../../src/generate/project.js";
import { defaultParameters, ProjectSpecSchema, RUNTIMES, type ProjectSpec, type Runtime } from "../../src/spec/spec.js";
import { ResponseSchema, type TaskchainResponse } from "../../templates/base/src/taskchain/protocol.js";
import { DEEP, QUICK_EXAMPLE_GREEN } from "../helpers/deep.js";
import { expectProjectGreen, freePort, installProject, run, runCli, serve, tempDir, type Served, projectNode } from "../helpers/project.js";

const greeting = { name: "greeting", prompt: "Greet the caller and ask how you can help.", parameters: defaultParameters() };

/** A project with a link of its own before the example's two, or (exampleOnly) just the example's. */
async function generate(runtime: Runtime, exampleOnly = false): Promise<string> {
  const dir = path.join(tempDir("taskchain-ss-"), `orders-${runtime}`);
  const fields = { packageName: `orders-${runtime}`, runtime, baseUrl: "https://hooks.example.com", trigger: "where is my order", example: "shipstation" as const };
  // ProjectSpecSchema asks for at least one link of the user's own; the create command allows an
  // example alone, so that shape is built directly.
  const spec: ProjectSpec = exampleOnly ? { ...fields, links: [] } : ProjectSpecSchema.parse({ ...fields, links: [greeting] });
  await commitNewProject(generateProject(spec, dir));
  installProject(dir);
  return dir;
}

const dirs = new Map<Runtime, string>();

// Every runtime in the deep run; otherwise Workers, which the README suite does not play with the example.
const GREEN_ON: readonly Runtime[] = DEEP ? RUNTIMES : QUICK_EXAMPLE_GREEN;

describe.each(GREEN_ON)("--example shipstation on %s", (runtime) => {
  it("type-checks and passes its own tests, the fake-ShipStation scenarios included", async () => {
    const dir = await generate(runtime);
    dirs.set(runtime, dir);
    const { test } = expectProjectGreen(dir);
    const out = test.stdout + test.stderr;
    expect(out).toMatch(/Tests\s+\d+ passed/);
    expect(out).not.toMatch(/\d+ (failed|skipped)/);
    // The scenario file and both contract files ran here, not just the base suite.
    for (const file of ["shipstation-scenarios.test.ts", "order_lookup.test.ts", "order_followup.test.ts"]) expect(out).toContain(file);
  });
});

describe("--example shipstation alone (no link of the user's own), on node", () => {
  it("type-checks and passes its own tests with order_lookup first in the chain", async () => {
    const { test } = expectProjectGreen(await generate("node", true));
    expect(test.stdout + test.stderr).toMatch(/Tests\s+\d+ passed/);
  });
});

describe("the node project, served for real against the fake ShipStation", () => {
  const running: Served[] = [];
  afterAll(async () => {
    for (const s of running.reverse()) await s.stop();
  });

  it("answers whole calls from process.env settings (simulate --script, and by hand): status, tracking SMS, goodbye", async () => {
    const dir = dirs.get("node") ?? (await generate("node"));
    const node = projectNode();
    const fakePort = await freePort();
    const fake = await serve(node, ["test/shipstation/serve.ts"], dir, { FAKE_SHIPSTATION_PORT: String(fakePort) }, `http://127.0.0.1:${fakePort}`);
    running.push(fake);
    const port = await freePort();
    const env = {
      PORT: String(port),
      HOST: "127.0.0.1",
      SHIPSTATION_V1_BASE_URL: fake.url,
      SHIPSTATION_API_KEY: "ShipStation",
      SHIPSTATION_API_SECRET: "Rocks",
      TRANSFER_NUMBER: "+15125550123",
    };
    const server = await serve(node, ["src/main.ts"], dir, env, `http://127.0.0.1:${port}`);
    running.push(server);

    // The README's way to try it: the CLI plays Agent4 with the example's scenario.
    const sim = runCli(["simulate", "--url", server.url, "--script", "scenarios/order-shipped.json"], { cwd: dir });
    expect(sim.code, sim.stdout + sim.stderr).toBe(0);
    expect(sim.stdout).toMatch(/Links: greeting → order_lookup → order_followup/);
    expect(sim.stdout).toMatch(/Expectations: 5\/5 passed/);

    const caller = { call_from: "+15125550111", call_forwarded_by: "+15125550199" };
    const post = async (name: string, action: string, context?: Record<string, unknown>): Promise<TaskchainResponse> => {
      const res = await fetch(`${server.url}/${name}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name, action, ...caller, ...(context && { context }) }),
      });
      expect(res.status).toBe(200);
      return ResponseSchema.parse(await res.json());
    };

    const initial = await post("order_lookup", "initial");
    expect(initial.qualified_parameters?.required).toEqual(["order_number"]);
    const status = await post("order_lookup", "qualified", { order_number: "1005" });
    expect(status.content).toContain("Order 1005 shipped on July 1, 2025 with UPS. The tracking number is 1 Z 9 9, 9 A A 1, 0 1 2 3, 4 5 6 7, 8 4.");
    expect(status.actions).toEqual([{ name: "next_task" }]);
    expect(status.key).toBe(initial.key);

    const offer = await post("order_followup", "initial");
    expect(offer.content).toMatch(/text message/);
    const done = await post("order_followup", "qualified", { choice: "sms" });
    expect(done.actions?.map((a) => a.name)).toEqual(["sms", "end_call"]);
    expect(JSON.stringify(done.actions)).toContain("https://www.ups.com/track?tracknum=1Z999AA10123456784");
    expect(done.key).toBe(initial.key);
  });
});

// Workers have no process.env: the worker's vars must still reach the links (src/env.ts). This
// runs in the generated project, with its own target.ts starting the worker in real workerd.
const WORKER_ENV_TEST = `import { afterAll, beforeAll, expect, it } from "vitest";
import { startFakeShipStation, type FakeShipStation } from "./shipstation/fake-server.js";
import { startWorker } from "./target.js";

let fake: FakeShipStation;
let worker: Awaited<ReturnType<typeof startWorker>>;
beforeAll(async () => {
  fake = await startFakeShipStation();
  worker = await startWorker({ SHIPSTATION_V2_API_KEY: "TEST_fake_v2_key", SHIPSTATION_V2_BASE_URL: fake.url, TRANSFER_NUMBER: "+15125550123" });
});
afterAll(async () => {
  await worker?.mf.dispose();
  await fake?.close();
});

it("answers from ShipStation with the worker's vars", async () => {
  const caller = { call_from: "+15125550100", call_forwarded_by: "+15125550199" };
  const post = (action: string, context?: object) =>
    fetch(worker.url + "/order_lookup", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "order_lookup", action, ...caller, context }) }).then((r) => r.json());
  await post("initial");
  const answer = await post("qualified", { order_number: "2003" });
  expect(answer.content).toContain("Order 2003 shipped on July 1, 2025 with USPS.");
  expect(answer.actions).toEqual([{ name: "next_task" }]);
  expect(fake.requests.map((r) => r.path)).toEqual(["/v2/shipments", "/v2/labels"]);
  expect(fake.requests[0]!.headers["api-key"]).toBe("TEST_fake_v2_key");
});
`;

describe("the cloudflare project in workerd against the fake ShipStation", () => {
  it("reads the ShipStation settings from the worker's vars", async () => {
    const dir = dirs.get("cloudflare") ?? (await generate("cloudflare"));
    writeFileSync(path.join(dir, "test/worker-env.test.ts"), WORKER_ENV_TEST);
    const r = run(path.join(dir, "node_modules/.bin/vitest"), ["run", "test/worker-env.test.ts"], dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Tests\s+1 passed/);
  });
});

// One contract suite, six targets. For every runtime a generated project installs
// (cached), type-checks, passes its own tests, then starts on its real runtime (a node process for
// node/express/fastify/hono, workerd through `wrangler dev` for cloudflare, the esbuild-built
// Lambda bundle invoked with payload 2.0 events for lambda), and the project's own contract test
// files run again over HTTP against it (TASKCHAIN_URL + TASKCHAIN_TOKEN).
import { once } from "node:events";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commitNewProject } from "../../src/fs/changeset.js";
import { generateProject } from "../../src/generate/project.js";
import { defaultParameters, ProjectSpecSchema, RUNTIMES, type Runtime, type SessionStoreName } from "../../src/spec/spec.js";
import { ResponseSchema, type TaskchainResponse } from "../../templates/base/src/taskchain/protocol.js";
import { DEEP } from "../helpers/deep.js";
import { slowQualified, STILL_CHECKING } from "../helpers/slow-link.js";
import { expectProjectGreen, expectTypeChecks, freePort, installProject, run, serve, tempDir, testEnv, runAsync, type Served, projectNode } from "../helpers/project.js";

const token = "e2e-runtime-secret";

async function generate(runtime: Runtime, sessions?: SessionStoreName): Promise<string> {
  const dir = path.join(tempDir(`taskchain-rt-`), `webhook-${runtime}`);
  const spec = ProjectSpecSchema.parse({
    packageName: `webhook-${runtime}`,
    runtime,
    ...(sessions ? { sessions } : {}),
    baseUrl: "https://hooks.example.com",
    trigger: "check my order",
    links: [
      {
        name: "pin_vetting",
        prompt: "Ask for the caller's PIN.",
        parameters: {
          ...defaultParameters(),
          qualified: [
            { name: "pin", type: "string", description: "The PIN the caller gave." },
            { name: "attempts", type: "integer", description: "How many tries it took.", required: false },
          ],
        },
      },
      {
        name: "order_status",
        prompt: "Tell the caller where their order is.",
        parameters: { ...defaultParameters(), qualified: [{ name: "channel", type: "enum", values: ["sms", "email"], description: "Where to send the tracking link." }] },
      },
    ],
  });
  await commitNewProject(generateProject(spec, dir));
  // The last link speaks the state it is handed, so the two-call test below hears what it saw.
  const last = path.join(dir, "src/links/order_status.ts");
  const source = readFileSync(last, "utf8");
  const speaking = source.replace('initial: () => ({\n    content: "Tell the caller where their order is.",', 'initial: ({ state }) => ({\n    content: `State: ${JSON.stringify(state)}`,');
  expect(speaking).not.toBe(source);
  writeFileSync(last, speaking);
  // pin_vetting answers within 500 ms, with its onTimeout reply, when its handler sleeps (PIN "slow").
  slowQualified(dir, "pin_vetting", BUDGET_MS, 'context.pin === "slow"');
  installProject(dir);
  return dir;
}

/** One webhook call to the served runtime, as Agent4 makes it; its answer, validated. */
async function webhook(url: string, body: Record<string, unknown>): Promise<TaskchainResponse> {
  const res = await fetch(`${url}/${String(body.name)}?token=${token}`, { method: "POST", body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return ResponseSchema.parse(await res.json());
}

/** Agent4 calling an answer's call-ended notification, on the served runtime (its host is the public URL). */
async function notifyEnded(url: string, response: TaskchainResponse): Promise<void> {
  const webhooks = (response.additional_call_notifications ?? []).flatMap((n) => ("webhook" in n ? [n.webhook] : []));
  const ended = webhooks.find((w) => w.host === `https://hooks.example.com/calls/${response.key}/ended`);
  expect(ended, JSON.stringify(response.additional_call_notifications)).toBeDefined();
  const res = await fetch(`${url}/calls/${response.key}/ended`, { method: "POST", headers: ended!.headers, body: '{"status":"completed"}' });
  expect(res.status).toBe(200);
}

/**
 * Calls from one number, each after the previous one ended (the chain done, the notification, the
 * caller hanging up mid-chain): each gets a new key and starts with empty state. Then withheld
 * caller IDs, which share nothing.
 */
async function expectCallBoundaries(url: string): Promise<void> {
  const caller = { call_from: "+15125550143", call_forwarded_by: "+15128888888" };
  const pin = (action: string, context?: unknown) => webhook(url, { name: "pin_vetting", action, ...caller, context });
  const order = (action: string, context?: unknown) => webhook(url, { name: "order_status", action, ...caller, context });

  // Call 1 runs the whole chain: the last link moving on ends it.
  const call1 = await pin("initial");
  await pin("qualified", { pin: "1234" });
  const seen = await order("initial");
  expect(seen).toMatchObject({ key: call1.key, content: 'State: {"pin_vetting":{"pin":"1234"}}' });
  await order("qualified", { channel: "sms" });

  // Call 2: a new key, empty state. It ends mid-chain when Agent4 calls the notification.
  const call2 = await pin("initial");
  expect(call2.key).not.toBe(call1.key);
  await pin("qualified", { pin: "5678" });
  expect(await order("initial")).toMatchObject({ key: call2.key, content: 'State: {"pin_vetting":{"pin":"5678"}}' });
  await notifyEnded(url, call2);

  // Call 3: new again; it ends mid-chain with the caller hanging up.
  const call3 = await pin("initial");
  expect(call3.key).not.toBe(call2.key);
  await pin("qualified", { pin: "9012" });
  await order("interrupt");
  // Call 4: new, empty; call 2's notification arriving late does not end it.
  const call4 = await pin("initial");
  expect([call1.key, call2.key, call3.key]).not.toContain(call4.key);
  await notifyEnded(url, call2);
  expect(await order("initial")).toMatchObject({ key: call4.key, content: "State: {}" });

  // Withheld caller IDs: every webhook call a key of its own and empty state.
  const keys = new Set<string>();
  for (const withheld of [{}, { call_from: null }, { call_from: "" }]) {
    keys.add((await webhook(url, { name: "pin_vetting", action: "initial", ...withheld })).key);
    keys.add((await webhook(url, { name: "pin_vetting", action: "qualified", ...withheld, context: { pin: "1" } })).key);
    const next = await webhook(url, { name: "order_status", action: "initial", ...withheld });
    expect(next.content).toBe("State: {}");
    keys.add(next.key);
  }
  expect(keys.size).toBe(9);
}

const BUDGET_MS = 500;

/** A handler that sleeps 10 s is answered 200 with its link's onTimeout reply within the budget (+ 250 ms). */
async function expectAnsweredInBudget(served: Served): Promise<void> {
  const started = performance.now();
  const res = await fetch(`${served.url}/pin_vetting?token=${token}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "pin_vetting", action: "qualified", call_from: "+15125550142", call_forwarded_by: "+15128888888", context: { pin: "slow" } }),
  });
  const response = ResponseSchema.parse(await res.json());
  const elapsed = performance.now() - started;
  expect(res.status).toBe(200);
  expect(response.content).toBe(STILL_CHECKING);
  expect(elapsed).toBeGreaterThanOrEqual(BUDGET_MS - 5);
  expect(elapsed, served.output().slice(-3000)).toBeLessThan(BUDGET_MS + 250);
  for (let i = 0; i < 40 && !/over its time budget/.test(served.output()); i++) await new Promise((r) => setTimeout(r, 50));
  expect(served.output()).toMatch(/"message":"link over its time budget; answered with the fallback","link":"pin_vetting","action":"qualified","outcome":"timeout","ms":\d/);
}

/** How each runtime is started for real: the command its `start` script (or build) runs. */
async function start(runtime: Runtime, dir: string): Promise<Served> {
  const bin = (name: string) => path.join(dir, "node_modules/.bin", name);
  const scripts = (JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { PORT: String(port), HOST: "127.0.0.1", TASKCHAIN_TOKEN: token, REDIS_URL: undefined };
  if (runtime === "cloudflare") {
    expect(scripts.start).toBe("wrangler dev");
    // No network: no Request.cf download, no telemetry.
    const quiet = { CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
    return serve(bin("wrangler"), ["dev", "--ip", "127.0.0.1", "--port", String(port), "--var", `TASKCHAIN_TOKEN:${token}`], dir, quiet, url, 120_000);
  }
  if (runtime === "lambda") {
    // The deployable artifact: `npm run build` → dist/index.mjs, served behind the local gateway.
    const build = run("npm", ["run", "build", "--silent"], dir);
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expect(existsSync(path.join(dir, "dist/index.mjs"))).toBe(true);
    expect(scripts.start).toBe("node src/local.ts");
    return serve(projectNode(), LAMBDA_START, dir, env, url);
  }
  // `npm start`'s command, started without npm so the exit code below is the server's own.
  expect(scripts.start).toBe("node src/main.ts");
  return serve(projectNode(), NODE_START, dir, env, url);
}

const NODE_START = ["src/main.ts"];
const LAMBDA_START = ["src/local.ts", "dist/index.mjs"];

/** A second server on the served one's port: one clear line and exit 1, never a stack trace or "listening". */
function expectPortInUseRefused(runtime: Runtime, dir: string, served: Served): void {
  const port = new URL(served.url).port;
  const second = run(projectNode(), runtime === "lambda" ? LAMBDA_START : NODE_START, dir, { PORT: port, HOST: "127.0.0.1", TASKCHAIN_TOKEN: token, REDIS_URL: undefined }, 30_000);
  expect(second.code, second.stdout + second.stderr).toBe(1);
  expect(second.stderr).toMatch(new RegExp(`"cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
  expect(second.stderr).not.toMatch(/^\s+at /m);
  expect(second.stdout).not.toMatch(/listening/);
}

/**
 * SIGTERM while a webhook call is in flight (its body half sent): the server must still answer it,
 * then exit 0. Returns the raw HTTP answer.
 */
async function answerAcrossSigterm(served: Served): Promise<{ answer: string; code: number | null }> {
  const body = JSON.stringify({ name: "pin_vetting", action: "initial", call_from: "+15125550199", call_forwarded_by: "+15128888888" });
  const socket = connect(Number(new URL(served.url).port), "127.0.0.1");
  await once(socket, "connect");
  let answer = "";
  socket.on("data", (d: Buffer) => (answer += d.toString()));
  const closed = once(socket, "close");
  socket.write(
    `POST /pin_vetting HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, 20)}`,
  );
  // Another request answered after those bytes were sent: the server has read the first one's head.
  expect((await fetch(`${served.url}/health`)).status).toBe(200);
  const stopped = served.stop("SIGTERM");
  for (let i = 0; i < 200 && !/SIGTERM: closing/.test(served.output()); i++) await new Promise((r) => setTimeout(r, 50));
  socket.end(body.slice(20));
  await closed;
  return { answer, code: await stopped };
}

const running: Served[] = [];
afterAll(async () => {
  for (const s of running) await s.stop("SIGKILL");
});

/**
 * Whether the project's own tests run in process here too. The framework servers' contract files run
 * over HTTP below either way; in process they differ from the node one only in test/target.ts, so
 * outside the deep run the node project stands for them.
 */
const ownTestsRun = (runtime: Runtime): boolean => DEEP || !["express", "fastify", "hono"].includes(runtime);

// Each runtime with its default store, and (in the deep run) Workers with sessions in KV as well. By
// default a worker's own tests run the store contract on its CallSession class in workerd, and
// `wrangler dev` serves the objects from wrangler.jsonc's binding and migration.
const CASES: Array<[Runtime, SessionStoreName | undefined]> = [...RUNTIMES.map((runtime): [Runtime, undefined] => [runtime, undefined]), ...(DEEP ? [["cloudflare", "kv"] as [Runtime, SessionStoreName]] : [])];

describe.each(CASES)("runtime %s (sessions: %s)", (runtime, sessions) => {
  it("installs, type-checks, passes its own tests, serves on its real runtime, passes the contract and keeps call boundaries there", async () => {
    const dir = await generate(runtime, sessions);
    if (ownTestsRun(runtime)) {
      const { test } = expectProjectGreen(dir);
      expect(test.stdout + test.stderr).toMatch(/Tests\s+\d+ passed/);
      if (runtime === "cloudflare" && sessions === undefined) expect(test.stdout + test.stderr).toMatch(/durable-object-sessions\.test\.ts \(\d+ tests/);
    } else {
      expectTypeChecks(dir);
    }
    // deploy.test.ts builds a worker for deploy in every run.
    if (DEEP && runtime === "cloudflare") {
      const build = run("npm", ["run", "build", "--silent"], dir);
      expect(build.code, build.stdout + build.stderr).toBe(0);
    }

    const served = await start(runtime, dir);
    running.push(served);

    const res = await fetch(`${served.url}/pin_vetting?token=${token}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "pin_vetting", action: "initial", call_from: "+15129999999", call_forwarded_by: "+15128888888", context: { key: "value" } }),
    });
    expect(res.status).toBe(200);
    const response = ResponseSchema.parse(await res.json());
    expect(response.content).toBe("Ask for the caller's PIN.");
    expect(response.qualified_parameters?.required).toEqual(["pin"]);
    await expectAnsweredInBudget(served);

    // The same contract files, now over HTTP against the running server.
    const contract = await runAsync(path.join(dir, "node_modules/.bin/vitest"), ["run", "test/server.test.ts", "test/pin_vetting.test.ts", "test/order_status.test.ts"], dir, {
      TASKCHAIN_URL: served.url,
      TASKCHAIN_TOKEN: token,
    });
    const out = contract.stdout + contract.stderr;
    expect(contract.code, out).toBe(0);
    expect(out).toMatch(/Test Files\s+3 passed/);
    expect(out).not.toMatch(/\d+ (failed|skipped)/);
    // The traffic reached the started server (the garbled-context tests log a warning there).
    expect(served.output()).toMatch(/context did not parse/);

    await expectCallBoundaries(served.url);

    if (runtime === "cloudflare") {
      await served.stop("SIGTERM");
      return;
    }
    expectPortInUseRefused(runtime, dir, served);
    // Graceful shutdown: the in-flight call is answered, then the process exits 0.
    const { answer, code } = await answerAcrossSigterm(served);
    expect(answer, served.output()).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toContain('"key"');
    expect(code, served.output()).toBe(0);
    expect(served.output()).toMatch(/SIGTERM: closing/);
  });
});

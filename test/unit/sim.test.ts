// The simulate/verify core against in-process servers: the real template runtime (the one the
// generated projects run) and the deliberately broken fixture.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import { UserError } from "../../src/errors.js";
import { loadChain, parseBaseUrl, redact, resolveEndpoint, type ChainLink } from "../../src/sim/chain.js";
import { defaultToken, defaultUrl, defaultUrlSource, projectEnv } from "../../src/sim/env.js";
import { inspectAnswer, WebhookClient } from "../../src/sim/client.js";
import { malformedProbes, runContract } from "../../src/sim/contract.js";
import { renderReport } from "../../src/sim/render.js";
import { sampleContext, sampleValue } from "../../src/protocol/samples.js";
import { renderTranscript } from "../../src/sim/render.js";
import { checkExpectations, parseScenario, scriptedDecider } from "../../src/sim/scenario.js";
import { walk, type Decide } from "../../src/sim/walker.js";
import {
  createTaskchain,
  defineLink,
  endCall,
  nextTask,
  notifyEmail,
  notifyWebhook,
  say,
  setTrigger,
  silentLogger,
  sms,
  switchTask,
  transferCall,
  type Link,
} from "../../templates/base/src/taskchain/index.js";
import { PayloadSchema } from "../../templates/base/src/taskchain/protocol.js";
import { BROKEN_LINKS, startBrokenServer } from "../fixtures/broken-server.js";
import { createPlainServer, plainChain } from "../fixtures/plain-server.js";

const greet = defineLink({
  name: "greet",
  parameters: {
    qualified: z.object({ name: z.string().describe("The caller's name"), vip: z.boolean().optional() }),
    disqualified: z.object({ reason: z.string() }),
  },
  initial: ({ state }) => ({ content: `Ask the caller's name. Visits so far: ${String(state.visits ?? 0)}` }),
  qualified: ({ context, state }) => ({
    content: `Hello ${context.name}`,
    state: { name: context.name, visits: Number(state.visits ?? 0) + 1 },
    actions: [say("One moment"), sms("Thanks for calling"), setTrigger("caller named"), nextTask()],
    additional_call_notifications: [notifyEmail("ops@example.com")],
  }),
  disqualified: ({ context }) => ({ content: `Bye: ${context.reason}`, actions: [endCall()] }),
});

const route = defineLink({
  name: "route",
  parameters: { qualified: z.object({ choice: z.enum(["again", "agent", "done"]), count: z.int().min(3) }) },
  initial: () => ({ content: "Ask where to go." }),
  qualified: ({ context }) =>
    context.choice === "again" ? { actions: [switchTask("greet")] } : context.choice === "agent" ? { content: "Transferring", actions: [transferCall("+15550001111")] } : { actions: [nextTask()] },
  disqualified: () => ({ actions: [endCall()] }),
});

const last = defineLink({
  name: "last",
  parameters: {},
  initial: () => ({ content: "Wrap up.", state: { wrapping: true }, additional_call_notifications: [notifyWebhook("https://crm.example.com/calls", { Authorization: "Token s3cret" })] }),
  qualified: () => ({ content: "All done" }),
  disqualified: () => ({ content: "Sorry", actions: [endCall()] }),
  interrupt: () => ({ content: "Goodbye", actions: [say("Call us back"), sms("We missed you")] }),
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("no address");
  return `http://127.0.0.1:${address.port}`;
}

/** The template runtime behind node:http, as the node adapter does it. */
async function startRuntime(links: readonly Link[], token?: string): Promise<{ url: string; close(): Promise<void> }> {
  const app = createTaskchain({ links, logger: silentLogger, token });
  const server = createServer(async (req, res) => {
    let text = "";
    for await (const chunk of req) text += String(chunk);
    const answer = await app.handle({ method: req.method ?? "GET", url: req.url ?? "/", authorization: req.headers.authorization, body: req.method === "POST" ? { text } : undefined });
    res.writeHead(answer.status, answer.headers).end(answer.body);
  });
  const url = await listen(server);
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function chainAt(url: string, names: readonly string[]): ChainLink[] {
  const base = parseBaseUrl(url);
  return names.map((name) => ({ name, url: resolveEndpoint(base, name, `https://prod.example.com/${name}`) }));
}

let caller = 0;
const nextCaller = () => `+1512555${String(++caller).padStart(4, "0")}`;

describe("chain endpoints", () => {
  it("replaces the host and keeps the link path; a shared endpoint keeps its own path", () => {
    const base = parseBaseUrl("http://localhost:3000/");
    expect(resolveEndpoint(base, "pin_vetting", "https://prod.example.com/api/pin_vetting")).toBe("http://localhost:3000/pin_vetting");
    expect(resolveEndpoint(base, "pin_vetting", "https://prod.example.com/pin_vetting?token=s3cret")).toBe("http://localhost:3000/pin_vetting?token=s3cret");
    expect(resolveEndpoint(base, "pin_vetting", "https://your.webhook")).toBe("http://localhost:3000/");
    expect(resolveEndpoint(base, "pin_vetting", "https://hooks.example.com/agent4")).toBe("http://localhost:3000/agent4");
    expect(resolveEndpoint(parseBaseUrl("http://127.0.0.1:8787/dev"), "a", "https://x/a")).toBe("http://127.0.0.1:8787/dev/a");
    expect(redact("http://localhost:3000/a?token=s3cret")).toBe("http://localhost:3000/a?token=***");
    // --url's query is kept (a token given there is not lost); the endpoint's wins a clash.
    expect(resolveEndpoint(parseBaseUrl("http://localhost:3000/?token=a&v=1"), "b", "https://prod/b?token=c")).toBe("http://localhost:3000/b?token=c&v=1");
    expect(resolveEndpoint(parseBaseUrl("http://localhost:3000/?token=a"), "b", "https://prod/b")).toBe("http://localhost:3000/b?token=a");
    // Names the reference allows but this tool would not generate.
    expect(resolveEndpoint(base, "Pin Vetting", "https://prod.example.com/Pin%20Vetting")).toBe("http://localhost:3000/Pin%20Vetting");
  });

  it("accept any link name the chain has (the reference puts no rule on names)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "sim-chain-"));
    const file = path.join(dir, "chain.json");
    writeFileSync(file, JSON.stringify([{ name: "First-Step", endpoint: "https://api.example.com/hook" }, { name: "Zweiter Schritt", endpoint: "https://api.example.com/hook" }]));
    const chain = await loadChain(file, parseBaseUrl("http://127.0.0.1:9"));
    expect(chain.map((l) => l.name)).toEqual(["First-Step", "Zweiter Schritt"]);
    writeFileSync(file, "[]");
    await expect(loadChain(file, parseBaseUrl("http://127.0.0.1:9"), dir)).rejects.toThrow("chain.json: the chain has no links");
    writeFileSync(file, JSON.stringify([{ name: "", endpoint: "https://x" }]));
    await expect(loadChain(file, parseBaseUrl("http://127.0.0.1:9"), dir)).rejects.toThrow(/^chain\.json: \[0\]\.name: /);
  });

  it("refuses a --url that is not http(s)", () => {
    expect(() => parseBaseUrl("localhost:3000")).toThrow(new UserError('--url "localhost:3000" is not a URL (expected e.g. http://localhost:3000)'));
    expect(() => parseBaseUrl("ftp://x")).toThrow('--url "ftp://x" must be http or https, not ftp');
    // Built from the project's env, the error names where it came from, not a flag nobody gave.
    const env = projectEnv(mkdtempSync(path.join(tmpdir(), "sim-env-")), { PORT: "abc" });
    expect(() => parseBaseUrl(defaultUrl(env), defaultUrlSource(env))).toThrow(new UserError('the URL "http://localhost:abc" from HOST and PORT (environment or .env) is not a URL (expected e.g. http://localhost:3000)'));
  });
});

describe("the project's env files", () => {
  const project = (files: Record<string, string>) => {
    const dir = mkdtempSync(path.join(tmpdir(), "sim-env-"));
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    return dir;
  };

  it("give the dev server's address and token, under the environment", () => {
    const dir = project({ ".env": "PORT=4100\nHOST=127.0.0.1\nTASKCHAIN_TOKEN=from-file\n" });
    const env = projectEnv(dir, {});
    expect(defaultUrl(env)).toBe("http://127.0.0.1:4100");
    expect(defaultToken(env, new URL("http://127.0.0.1:4100"))).toBe("from-file");
    expect(defaultUrl(projectEnv(dir, { PORT: "5000" }))).toBe("http://127.0.0.1:5000");
    expect(defaultUrl(projectEnv(dir, { TASKCHAIN_URL: "http://10.0.0.2:80" }))).toBe("http://10.0.0.2:80");
    expect(defaultToken(projectEnv(dir, { TASKCHAIN_TOKEN: "from-env" }), new URL("http://127.0.0.1:4100"))).toBe("from-env");
    expect(defaultUrl(projectEnv(project({ ".env": "HOST=0.0.0.0\nPORT=\n" }), {}))).toBe("http://localhost:3000");
    expect(defaultUrl(projectEnv(project({ ".env": "HOST=::1\n" }), {}))).toBe("http://[::1]:3000");
    expect(defaultUrl(projectEnv(project({}), {}))).toBe("http://localhost:3000");
  });

  it("default to the runtime's dev port: wrangler dev's 8787 in a cloudflare project", () => {
    const cloudflare = project({ "package.json": JSON.stringify({ taskchain: { runtime: "cloudflare" } }) });
    expect(defaultUrl(projectEnv(cloudflare, {}))).toBe("http://localhost:8787");
    expect(defaultUrl(projectEnv(project({ "package.json": JSON.stringify({ taskchain: { runtime: "hono" } }) }), {}))).toBe("http://localhost:3000");
    expect(defaultUrl(projectEnv(project({ "package.json": "{ not json" }), {}))).toBe("http://localhost:3000");
  });

  it("keep a token read from a file on this machine: it is sent to loopback URLs only", () => {
    const env = projectEnv(project({ ".dev.vars": "TASKCHAIN_TOKEN=wrangler-secret\n" }), {});
    expect(defaultToken(env, new URL("http://localhost:8787"))).toBe("wrangler-secret");
    expect(defaultToken(env, new URL("http://[::1]:8787"))).toBe("wrangler-secret");
    expect(defaultToken(env, new URL("https://hooks.example.com/agent4"))).toBeUndefined();
    // The dev server's own address from the same file (no --url): its token goes there too.
    const lan = projectEnv(project({ ".env": "HOST=192.168.1.5\nTASKCHAIN_TOKEN=lan-secret\n" }), {});
    expect(defaultUrl(lan)).toBe("http://192.168.1.5:3000");
    expect(defaultToken(lan, new URL(defaultUrl(lan)), false)).toBe("lan-secret");
    expect(defaultToken(lan, new URL("http://192.168.1.5:3000"), true)).toBeUndefined();
    expect(defaultToken(projectEnv(project({ ".env": "TASKCHAIN_TOKEN=lan-secret\n" }), { HOST: "192.168.1.5" }), new URL("http://192.168.1.5:3000"), false)).toBeUndefined();
    // From the environment the user chose it: it goes where --url says.
    expect(defaultToken(projectEnv(project({}), { TASKCHAIN_TOKEN: "t" }), new URL("https://hooks.example.com"))).toBe("t");
  });
});

describe("sample values", () => {
  it("satisfy the usual JSON-schema keywords", () => {
    expect(sampleValue({ type: "string", enum: ["b", "a"] })).toBe("b");
    expect(sampleValue({ type: "integer", minimum: 3 })).toBe(3);
    expect(sampleValue({ type: "number", exclusiveMaximum: 1 })).toBe(0);
    expect(sampleValue({ type: "boolean" })).toBe(true);
    expect(sampleValue({ type: "string", format: "email" })).toBe("caller@example.com");
    expect(sampleValue({ type: "string", minLength: 10 })).toHaveLength(10);
    expect(sampleValue({ anyOf: [{ type: "null" }, { type: "integer" }] })).toBe(1);
    expect(sampleValue({ type: "array", items: { type: "string" } })).toEqual(["example"]);
    expect(sampleContext({ properties: { a: { type: "string" }, b: { type: "integer", maximum: 0 } }, required: ["a"] })).toEqual({ a: "example", b: 0 });
  });
});

describe("answers", () => {
  it("report required ⊆ properties apart from the shape, and non-JSON as a shape problem", () => {
    const base = { status: 200, contentType: "application/json", text: "", isJson: true, ms: 1 };
    const r1 = inspectAnswer({ ...base, json: { key: crypto.randomUUID(), content: "x", qualified_parameters: { properties: {}, required: ["pin"] } } });
    expect(r1.findings.map((f) => f.check)).toEqual(["required-in-properties"]);
    expect(r1.response?.content).toBe("x");
    // Any non-empty key will do (the reference asks for a unique identifier, not a UUID).
    expect(inspectAnswer({ ...base, json: { key: "call-17", content: "x" } }).findings).toEqual([]);
    // A JSON-schema block may leave `required` out when nothing is required; it reads as [].
    const pydantic = inspectAnswer({ ...base, json: { key: "k", content: "x", interrupt_parameters: { properties: { note: { type: "string", title: "Note" } }, type: "object", title: "Interrupt" } } });
    expect(pydantic.findings).toEqual([]);
    expect(pydantic.response?.interrupt_parameters?.required).toEqual([]);
    expect(inspectAnswer({ ...base, json: { key: "k", content: "x", interrupt_parameters: { required: [] } } }).findings[0]?.check).toBe("response-shape");
    const r2 = inspectAnswer({ ...base, json: { key: "", content: 1 } });
    expect(r2.findings).toEqual([{ check: "response-shape", message: expect.stringMatching(/^key: .*; content: /) }]);
    expect(inspectAnswer({ ...base, isJson: false, text: "<html>" }).findings[0]?.check).toBe("response-shape");
    expect(inspectAnswer({ ...base, status: 503, isJson: false, text: "down" }).findings).toEqual([{ check: "status-2xx", message: "HTTP 503: down" }]);
    expect(inspectAnswer({ ...base, status: 201, json: { key: "k", content: "x" } }).findings).toEqual([]);
  });
});

describe("walking a chain on the real runtime", () => {
  let server: { url: string; close(): Promise<void> };
  let chain: ChainLink[];
  const client = new WebhookClient();

  beforeAll(async () => {
    server = await startRuntime([greet, route, last]);
    chain = chainAt(server.url, ["greet", "route", "last"]);
  });
  afterAll(() => server.close());

  const script = (json: unknown): Decide => scriptedDecider(parseScenario(json, chain));

  it("follows next_task, records what is said, texted and set, and ends after the last link", async () => {
    const scenario = parseScenario(
      {
        steps: { greet: { outcome: "qualified", context: { name: "Ada" } }, route: { outcome: "qualified", context: { choice: "done", count: 3 } }, last: "qualified" },
        expect: { links: ["greet", "route", "last"], actions: ["say", "next_task", "next_task"], said: ["Hello Ada", "One moment", "All done"], sms: ["Thanks"], ended: "chain_end", state: { name: "Ada", visits: 1 } },
      },
      chain,
    );
    const t = await walk({ chain, client, from: nextCaller(), forwardedBy: "", decide: scriptedDecider(scenario) });
    expect(t.links).toEqual(["greet", "route", "last"]);
    expect(t.actions).toEqual(["say", "sms", "set_trigger", "next_task", "next_task"]);
    expect(t.said).toEqual(["Hello Ada", "One moment", "All done"]);
    expect(t.sms).toEqual(["Thanks for calling"]);
    expect(t.triggers).toEqual(["caller named"]);
    expect(t.notifications).toEqual([{ email: "ops@example.com" }, { webhook: { host: "https://crm.example.com/calls", headers: { Authorization: "Token s3cret" } } }]);
    expect(t.ended).toEqual({ reason: "chain_end", link: "last", detail: "the last link ended without next_task: the chain is complete" });
    expect(t.violations).toEqual([]);
    expect(t.visits[0]?.blocks.qualified?.required).toEqual(["name"]);
    expect(checkExpectations(scenario, t).filter((e) => !e.ok)).toEqual([]);
  });

  it("follows switch_task back, takes per-visit steps, and ends on transfer_call", async () => {
    const t = await walk({
      chain,
      client,
      from: nextCaller(),
      forwardedBy: "",
      decide: script({
        steps: {
          greet: [{ outcome: "qualified", context: { name: "Ada" } }, { outcome: "qualified", context: { name: "Bob" } }],
          route: [{ outcome: "qualified", context: { choice: "again", count: 3 } }, { outcome: "qualified", context: { choice: "agent", count: 4 } }],
        },
      }),
    });
    expect(t.links).toEqual(["greet", "route", "greet", "route"]);
    expect(t.visits[2]?.initial.response?.content).toBe("Ask the caller's name. Visits so far: 1");
    expect(t.transfers).toEqual(["+15550001111"]);
    expect(t.ended.reason).toBe("transfer_call");
    expect(new Set(t.visits.map((v) => v.outcome?.response?.key)).size).toBe(1);
    expect(t.violations).toEqual([]);
  });

  it("after an interrupt nothing is heard: content and say are not 'said', the SMS still goes", async () => {
    const t = await walk({
      chain,
      client,
      from: nextCaller(),
      forwardedBy: "",
      decide: script({ steps: { greet: { outcome: "qualified", context: { name: "Ada" } }, route: { outcome: "qualified", context: { choice: "done", count: 3 } }, last: "interrupt" } }),
    });
    expect(t.ended).toMatchObject({ reason: "interrupt", link: "last" });
    expect(t.said).toEqual(["Hello Ada", "One moment"]);
    expect(t.sms).toEqual(["Thanks for calling", "We missed you"]);
    const text = renderTranscript(t, "http://x/").join("\n");
    // The initial answer's own effects are shown under its prompt; a webhook's headers are not.
    expect(text).toContain('   prompt: "Wrap up."\n   state += {"wrapping":true}\n   after the call: webhook https://crm.example.com/calls\n');
    expect(text).not.toContain("s3cret");
    expect(text).toContain('   would say (the caller hung up): "Goodbye"\n   would say (the caller hung up): "Call us back"\n   SMS to caller: "We missed you"');
    expect(text).toContain('\n\n── route ──  POST ');
    // Each request's line says how long its answer took.
    expect(text).toMatch(/^── route ── {2}POST \S+ {2}\(\d+ ms\)$/m);
    expect(text).toMatch(/^ {3}→ qualified \{"choice":"done","count":3\} {2}\(\d+ ms\)$/m);
  });

  it("detects a loop: the same link more than maxVisits times in one call", async () => {
    const t = await walk({ chain, client, from: nextCaller(), forwardedBy: "", maxVisits: 2, decide: script({ steps: { greet: { outcome: "qualified", context: { name: "Ada" } }, route: { outcome: "qualified", context: { choice: "again", count: 3 } } } }) });
    expect(t.links).toEqual(["greet", "route", "greet", "route"]);
    expect(t.ended.reason).toBe("loop");
    expect(t.violations.map((v) => v.check)).toEqual(["loop"]);
    expect(t.ended.detail).toBe('"greet" would be visited a 3rd time in one call (limit 2): the chain loops');
  });

  it("stops a scenario that runs out of steps for a link visited again", async () => {
    const t = await walk({ chain, client, from: nextCaller(), forwardedBy: "", decide: script({ steps: { greet: [{ outcome: "qualified", context: { name: "A" } }], route: { outcome: "qualified", context: { choice: "again", count: 3 } } } }) });
    expect(t.ended).toEqual({ reason: "script", link: "greet", detail: "steps.greet lists 1 visit(s), but the call reached greet a 2nd time" });
    const long = script({ steps: { greet: Array.from({ length: 20 }, () => "qualified") } });
    expect(await long({ link: "greet", visit: 21, prompt: "", blocks: {}, state: {} })).toEqual({ stop: "steps.greet lists 20 visit(s), but the call reached greet a 21st time" });
  });

  it("fills a step without context with samples from the declared parameters", async () => {
    const t = await walk({ chain, client, from: nextCaller(), forwardedBy: "", decide: script({ otherwise: "qualified" }) });
    expect(t.visits[1]?.decision).toEqual({ outcome: "qualified", context: { choice: "again", count: 3 } });
    expect(t.ended.reason).toBe("loop"); // "again" is the first enum value: a real loop, found
  });

  it("verify passes on the real runtime, with and without a token; a loop of samples is a warning", async () => {
    const report = await runContract({ base: parseBaseUrl(server.url), chain, client });
    const text = renderReport(report).join("\n");
    expect(text).toMatch(/^PASS: 13\/14 checks passed; 1 warning\(s\): loop$/m);
    expect(text).toMatch(/^! loop {2,}a call where every link qualifies/m);
    expect(text).toContain('    whole call: greet initial: "greet" would be visited a 6th time in one call (limit 5): the chain loops');
    expect(report.checks.filter((c) => c.failed > 0).map((c) => c.check)).toEqual(["loop"]);
    expect(report.ok).toBe(true);
    const guarded = await startRuntime([greet, route, last], "s3cret");
    try {
      const withToken = await runContract({ base: parseBaseUrl(guarded.url), chain: chainAt(guarded.url, ["greet", "route", "last"]), client: new WebhookClient({ token: "s3cret" }), token: "s3cret" });
      expect(withToken.checks.filter((c) => c.failed > 0).map((c) => c.check)).toEqual(["loop"]);
      expect(withToken.checks.find((c) => c.check === "auth-refused")?.passed).toBe(1);
    } finally {
      await guarded.close();
    }
  });
});

describe("verify against a webhook that wants a token", () => {
  let guarded: { url: string; close(): Promise<void> };
  let chain: ChainLink[];
  beforeAll(async () => {
    guarded = await startRuntime([greet, route, last], "s3cret");
    chain = chainAt(guarded.url, ["greet", "route", "last"]);
  });
  afterAll(() => guarded.close());

  it("says every request got 401 and how to pass the token, and counts no check as passed", async () => {
    const report = await runContract({ base: parseBaseUrl(guarded.url), chain, client: new WebhookClient() });
    expect(report.ok).toBe(false);
    expect(report.hint).toBe("every request got HTTP 401: the webhook wants its TASKCHAIN_TOKEN; pass it with --token <token> or the TASKCHAIN_TOKEN environment variable");
    // GET /health is not behind the token; nothing that POSTed a payload passed.
    expect(report.checks.filter((c) => c.passed > 0).map((c) => c.check)).toEqual(["health"]);
    const status = Object.fromEntries(report.checks.map((c) => [c.check, c.status]));
    expect(status["status-2xx"]).toBe("fail");
    expect(status["malformed-no-5xx"]).toBe("skip");
    expect(status["malformed-4xx"]).toBe("skip");
    const lines = renderReport(report);
    expect(lines.at(-2)).toBe(report.hint);
    expect(lines.at(-1)).toBe("FAIL: 1 check(s) failed: status-2xx");
  });

  it("says so when the token sent is the wrong one", async () => {
    const report = await runContract({ base: parseBaseUrl(guarded.url), chain, client: new WebhookClient({ token: "wrong" }), token: "wrong" });
    expect(report.hint).toBe("every request got HTTP 401 with the token sent: it is not the webhook's TASKCHAIN_TOKEN (check --token, else $TASKCHAIN_TOKEN)");
    // Refused with the token too, so a refusal without it proves nothing about the token check.
    expect(report.checks.filter((c) => c.passed > 0).map((c) => c.check)).toEqual(["health"]);
    expect(report.checks.find((c) => c.check === "auth-refused")?.status).toBe("skip");
  });

  it("gives no hint when the token is right", async () => {
    const report = await runContract({ base: parseBaseUrl(guarded.url), chain, client: new WebhookClient({ token: "s3cret" }), token: "s3cret" });
    expect(report.hint).toBeUndefined();
    expect(renderReport(report).join("\n")).not.toContain("every request");
  });
});

describe("verify's malformed payloads", () => {
  it("try every payload field with a value of the wrong type, the rest valid", () => {
    const probes = malformedProbes("greet", "+15125550100");
    expect(probes.map((p) => p.what)).toEqual([
      "invalid JSON",
      "name that is a number",
      "action that is not one of the four",
      "call_from that is a number",
      "call_forwarded_by that is an object",
      "context that is a string",
    ]);
    const fields = new Set<string>();
    for (const { body } of probes.slice(1)) {
      const wrong = Object.entries(body).filter(([k, v]) => !PayloadSchema.shape[k as keyof typeof PayloadSchema.shape].safeParse(v).success);
      expect(wrong, JSON.stringify(body)).toHaveLength(1);
      fields.add(wrong[0]![0]);
    }
    expect([...fields].sort()).toEqual(Object.keys(PayloadSchema.shape).sort());
  });

  it("name the field a webhook answers with a 5xx; the real runtime answers each with a JSON 4xx", async () => {
    // The runtime, except that it crashes on a call_forwarded_by that is not a string.
    const app = createTaskchain({ links: [greet], logger: silentLogger });
    const server = createServer(async (req, res) => {
      let text = "";
      for await (const chunk of req) text += String(chunk);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      const forwarded = (body as { call_forwarded_by?: unknown } | undefined)?.call_forwarded_by;
      if (forwarded !== undefined && typeof forwarded !== "string") return void res.writeHead(500).end("TypeError");
      const answer = await app.handle({ method: req.method ?? "GET", url: req.url ?? "/", authorization: undefined, body: req.method === "POST" ? { text } : undefined });
      res.writeHead(answer.status, answer.headers).end(answer.body);
    });
    const url = await listen(server);
    try {
      const report = await runContract({ base: parseBaseUrl(url), chain: chainAt(url, ["greet"]), client: new WebhookClient() });
      const no5xx = report.checks.find((c) => c.check === "malformed-no-5xx")!;
      expect(no5xx.failures).toEqual([{ subject: "greet call_forwarded_by that is an object", message: 'HTTP 500 with a non-JSON body "TypeError" (a malformed payload must not crash the webhook)' }]);
      expect(no5xx.passed).toBe(5);
      expect(report.checks.find((c) => c.check === "malformed-4xx")).toMatchObject({ status: "pass", passed: 5 });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("the broken server", () => {
  let broken: { url: string; close(): Promise<void> };
  let chain: ChainLink[];
  beforeAll(async () => {
    broken = await startBrokenServer();
    chain = chainAt(broken.url, BROKEN_LINKS);
  });
  afterAll(() => broken.close());

  it("simulate notes each violation where it happens", async () => {
    const t = await walk({ chain, client: new WebhookClient(), from: nextCaller(), forwardedBy: "", decide: async () => ({ outcome: "qualified", context: { pin: "1" } }) });
    expect(t.violations.map((v) => `${v.check} ${v.link} ${v.action}`)).toEqual([
      "required-in-properties start initial",
      "key-stable start qualified",
      "required-in-properties middle initial",
      "params-only-initial middle qualified",
      "switch-target-known middle qualified",
    ]);
    expect(t.ended).toMatchObject({ reason: "error", detail: 'switch_task to unknown link "nowhere": Agent4 cannot follow it' });
  });

  it("verify fails exactly the broken checks", async () => {
    const report = await runContract({ base: parseBaseUrl(broken.url), chain, client: new WebhookClient() });
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => c.failed > 0).map((c) => c.check)).toEqual([
      "response-shape",
      "required-in-properties",
      "key-stable",
      // It keeps a caller's key forever: the same number's next call continues the last one.
      "call-ends",
      "params-only-initial",
      "switch-target-known",
      "malformed-no-5xx",
      // It reads only the fields it uses: a wrong type elsewhere goes through with a 200.
      "malformed-4xx",
      // Its new key mid-call is new again for the same delivery: the second answer differs.
      "duplicate",
    ]);
    expect(report.checks.find((c) => c.check === "malformed-4xx")?.failures.map((f) => f.subject)).toEqual([
      "start name that is a number",
      "start call_from that is a number",
      "start call_forwarded_by that is an object",
      "start context that is a string",
      "middle name that is a number",
      "middle call_from that is a number",
      "middle call_forwarded_by that is an object",
      "middle context that is a string",
    ]);
    const malformed = report.checks.find((c) => c.check === "malformed-no-5xx");
    expect(malformed?.failures[0]).toEqual({ subject: "start invalid JSON", message: 'HTTP 500 with a non-JSON body "Internal Server Error" (a malformed payload must not crash the webhook)' });
    // The whole call broke off at a bad answer: it proves nothing about loops either way.
    expect(report.checks.find((c) => c.check === "loop")?.status).toBe("skip");
  });
});

describe("a correct server making other choices than ours", () => {
  let plain: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    const server = createPlainServer("s3cret");
    const url = await listen(server);
    plain = { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  });
  afterAll(() => plain.close());

  it("passes verify: non-UUID keys, one shared URL, 201, 403, a text 400 and no /health are at most warnings", async () => {
    const base = parseBaseUrl(plain.url);
    const chain = plainChain().map((e) => ({ name: e.name, url: resolveEndpoint(base, e.name, e.endpoint) }));
    const report = await runContract({ base, chain, client: new WebhookClient({ token: "s3cret" }), token: "s3cret" });
    const status = Object.fromEntries(report.checks.map((c) => [c.check, c.status]));
    expect(status).toEqual({
      health: "warn",
      "status-2xx": "pass",
      "response-shape": "pass",
      "required-in-properties": "pass",
      "key-stable": "pass",
      "key-new-caller": "pass",
      "call-ends": "pass",
      "withheld-caller": "pass",
      "params-only-initial": "pass",
      "switch-target-known": "skip",
      loop: "pass",
      "malformed-no-5xx": "pass",
      "malformed-4xx": "warn",
      "auth-refused": "pass",
      // It keeps no answers: a duplicate of an answer that ended the call runs again, in a new call.
      duplicate: "warn",
    });
    expect(report.ok).toBe(true);
    expect(renderReport(report).at(-1)).toBe("PASS: 11/15 checks passed; 3 warning(s): health, malformed-4xx, duplicate; not exercised: switch-target-known");
  });
});

describe("scenario files", () => {
  const chain: ChainLink[] = [{ name: "a", url: "http://x/a" }, { name: "b", url: "http://x/b" }];
  const error = (json: unknown) => {
    try {
      parseScenario(json, chain, "s.json");
    } catch (e) {
      return (e as Error).message;
    }
    return "no error";
  };

  it("name the path of what is wrong", () => {
    expect(error({ steps: { a: [{ outcome: "qualified" }, { outcome: "maybe" }] } })).toBe('s.json: steps.a[1].outcome: Invalid option: expected one of "qualified"|"disqualified"|"interrupt"');
    expect(error({ steps: { a: { outcome: "qualified", context: [] } } })).toMatch(/^s\.json: steps\.a\.context: /);
    expect(error({ steps: { c: "qualified" } })).toBe('s.json: steps.c: no link named "c" in the chain (a, b)');
    expect(error({ expect: { links: ["a", "z"] } })).toBe('s.json: expect.links[1]: no link named "z" in the chain (a, b)');
    expect(error({ expect: { said: "hi" } })).toBe("s.json: expect.said: Invalid input: expected array, received string");
    expect(error({ step: {} })).toBe('s.json: Unrecognized key: "step"');
    expect(error({ steps: { a: "qualified" }, expect: { ended: "end_call" } })).toBe("no error");
  });
});

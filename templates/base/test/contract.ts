// The Agent4 protocol contract, over real HTTP. Every link's test file calls describeLink();
// server.test.ts calls describeServer(). The same file runs against every runtime (see target.ts).
import { execFile } from "node:child_process";
import { randomInt } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chain } from "../src/links/index.ts";
import { createTaskchain, PARAMETER_BLOCKS, ResponseSchema, silentLogger, toParameterBlock, type Link, type TaskchainResponse } from "../src/taskchain/index.ts";
import { startTarget, type Target } from "./target.ts";

export type Samples = {
  qualified: Record<string, unknown>;
  disqualified: Record<string, unknown>;
  interrupt: Record<string, unknown>;
};

const linkNames = new Set<string>(chain.map((l) => l.name));

/** A new caller per call, so tests never share a session. */
export function newCaller(): { call_from: string; call_forwarded_by: string } {
  return { call_from: `+1512${randomInt(1_000_000, 9_999_999)}`, call_forwarded_by: "+15128888888" };
}

export interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
  /** The body as sent, byte for byte. */
  text?: string;
}

export async function post(target: Target, path: string, body: unknown, init: { token?: string | null; raw?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const token = init.token === undefined ? target.token : init.token;
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(target.url + path, { method: "POST", headers, body: init.raw ?? JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // left as text: the assertions below say what was expected
  }
  return { status: res.status, body: parsed, headers: res.headers, text };
}

/**
 * A POST with exactly these headers (fetch would add a Content-Type), on a connection of its own:
 * a server may answer before reading the body and then drop the connection, which must not reset
 * the next test's pooled fetch.
 */
export function rawPost(target: Target, path: string, body: string | Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${target.url}${path}`);
    const https = url.protocol === "https:";
    // A kept-alive connection of its own, closed once answered: a server may answer before the body
    // is all sent (a 401, a 413), and one told `Connection: close` would close with bytes unread,
    // which resets the connection before this client reads the answer.
    const agent = https ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    const req = (https ? httpsRequest : httpRequest)(url, { method: "POST", agent, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => {
        agent.destroy();
        resolve({ status: res.statusCode ?? 0, body: text });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Asserts a 200 answer that validates against the protocol and only switches to links of this chain. */
export function expectValidResponse(answer: Answer): TaskchainResponse {
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const parsed = ResponseSchema.safeParse(answer.body);
  expect(parsed.success, parsed.success ? "" : parsed.error.message).toBe(true);
  const response = parsed.data!;
  for (const action of response.actions ?? []) {
    if (action.name === "switch_task") expect(linkNames, `switch_task to "${action.context.name}"`).toContain(action.context.name);
  }
  return response;
}

function expectNoParameterBlocks(response: TaskchainResponse): void {
  for (const block of PARAMETER_BLOCKS) expect(response, `${block} outside initial`).not.toHaveProperty(block);
}

/** Context that cannot parse: every declared field replaced by an object. */
function garbled(sample: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(sample).map((k) => [k, { unexpected: [1, 2, 3] }]));
}

/** The call-ended notification an answer carries, as a request to the target: its path and headers. */
export function callEndedRequest(response: TaskchainResponse): { path: string; headers: Record<string, string> } {
  const hosts = (response.additional_call_notifications ?? []).map((n) => ("webhook" in n ? n.webhook : undefined));
  const webhook = hosts.find((w) => w !== undefined && new URL(w.host).pathname.endsWith(`/calls/${response.key}/ended`));
  expect(webhook, "a call-ended notification in additional_call_notifications").toBeDefined();
  return { path: `/calls/${response.key}/ended`, headers: webhook?.headers ?? {} };
}

export function describeLink(link: Link, samples: Samples): void {
  describe(`link ${link.name}`, () => {
    let target: Target;
    beforeAll(async () => {
      target = await startTarget();
    });
    afterAll(async () => {
      await target?.close();
    });

    const send = (action: string, caller: ReturnType<typeof newCaller>, context?: unknown) =>
      post(target, `/${link.name}`, { name: link.name, action, ...caller, ...(context === undefined ? {} : { context }) });

    it("is a link of the chain", () => {
      expect(linkNames).toContain(link.name);
    });

    it("answers initial with its prompt and the parameter blocks of its schemas", async () => {
      const response = expectValidResponse(await send("initial", newCaller()));
      expect(typeof response.content).toBe("string");
      for (const outcome of ["qualified", "disqualified", "interrupt"] as const) {
        const schema = link.parameters[outcome];
        const block = response[`${outcome}_parameters`];
        if (!schema) {
          expect(block).toBeUndefined();
          continue;
        }
        expect(block).toEqual(toParameterBlock(schema));
        for (const name of block!.required) expect(Object.keys(block!.properties)).toContain(name);
      }
    });

    for (const outcome of ["qualified", "disqualified", "interrupt"] as const) {
      it(`answers ${outcome} with a valid response and no parameter blocks`, async () => {
        const caller = newCaller();
        const initial = expectValidResponse(await send("initial", caller));
        const response = expectValidResponse(await send(outcome, caller, samples[outcome]));
        expectNoParameterBlocks(response);
        expect(response.key).toBe(initial.key);
      });
    }

    it("answers interrupt without context", async () => {
      const caller = newCaller();
      expectValidResponse(await send("initial", caller));
      expectNoParameterBlocks(expectValidResponse(await send("interrupt", caller)));
    });

    it("keeps one key for a call, and gives the next call a new one", async () => {
      const caller = newCaller();
      const first = expectValidResponse(await send("initial", caller));
      const again = expectValidResponse(await send("initial", caller));
      expect(again.key).toBe(first.key);
      expectValidResponse(await send("interrupt", caller)); // the caller hung up: the call is over
      const next = expectValidResponse(await send("initial", caller));
      expect(next.key).not.toBe(first.key);
      const other = expectValidResponse(await send("initial", newCaller()));
      expect(other.key).not.toBe(next.key);
    });

    it("answers a duplicate qualified delivery with the first answer, byte for byte", async () => {
      const caller = newCaller();
      expectValidResponse(await send("initial", caller));
      const first = await send("qualified", caller, samples.qualified);
      expectValidResponse(first);
      expect((await send("qualified", caller, samples.qualified)).text).toBe(first.text);
    });

    it("runs its qualified handler once for a duplicate delivery", async () => {
      let runs = 0;
      // This link with its qualified handler counted, in a chain served in this process.
      const counted: Link = { ...link, qualified: (args) => (runs++, link.qualified(args)) };
      const app = createTaskchain({ links: chain.map((l) => (l.name === link.name ? counted : l)), logger: silentLogger });
      const caller = newCaller();
      const deliver = async (action: string) => {
        const payload = { name: link.name, action, ...caller, ...(action === "initial" ? {} : { context: samples.qualified }) };
        return (await app.handle({ method: "POST", url: `/${link.name}`, body: { text: JSON.stringify(payload) } })).body;
      };
      await deliver("initial");
      const first = await deliver("qualified");
      expect(await deliver("qualified")).toBe(first);
      expect(runs).toBe(1);
    });

    for (const outcome of ["qualified", "disqualified"] as const) {
      it(`keeps the call alive when ${outcome} context does not parse`, async () => {
        const caller = newCaller();
        expectValidResponse(await send("initial", caller));
        const response = expectValidResponse(await send(outcome, caller, garbled(samples[outcome])));
        expectNoParameterBlocks(response);
      });
    }
  });
}

export function describeServer(): void {
  describe("webhook server", () => {
    let target: Target;
    const first = chain[0].name;
    beforeAll(async () => {
      target = await startTarget();
    });
    afterAll(async () => {
      await target?.close();
    });

    it("answers the reference page's example payload", async () => {
      const payload = { name: first, action: "initial", call_from: "+15129999999", call_forwarded_by: "+15128888888", context: { key: "value" } };
      expectValidResponse(await post(target, `/${first}`, payload));
    });

    it("dispatches POST / on the payload's name", async () => {
      for (const link of chain) {
        const response = expectValidResponse(await post(target, "/", { name: link.name, action: "initial", ...newCaller() }));
        expect(response.qualified_parameters).toEqual(link.parameters.qualified && toParameterBlock(link.parameters.qualified));
      }
    });

    it("serves GET /health without a token", async () => {
      const res = await fetch(`${target.url}/health`);
      expect(res.status).toBe(200);
    });

    it("refuses a missing or wrong token with 401, and takes ?token=", async () => {
      const payload = { name: first, action: "initial", ...newCaller() };
      expect((await post(target, `/${first}`, payload, { token: null })).status).toBe(401);
      expect((await post(target, `/${first}`, payload, { token: `${target.token}x` })).status).toBe(401);
      // Body errors come after the token: without it, a broken body reveals nothing either.
      expect((await post(target, `/${first}`, undefined, { token: null, raw: "{not json" })).status).toBe(401);
      const viaQuery = await post(target, `/${first}?token=${encodeURIComponent(target.token)}`, payload, { token: null });
      expectValidResponse(viaQuery);
    });

    it("answers an unknown link or path with 404", async () => {
      const res = await post(target, "/no_such_link", { name: "no_such_link", action: "initial", ...newCaller() });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ error: "unknown_link" });
      expect((await post(target, "/", { name: "no_such_link", action: "initial", ...newCaller() })).status).toBe(404);
      const payload = { name: first, action: "initial", ...newCaller() };
      for (const path of [`/${first}/more`, `//${first}`]) expect((await post(target, path, payload)).status, path).toBe(404);
    });

    it("answers a path/name disagreement with 400", async () => {
      const res = await post(target, `/${first}`, { name: "something_else", action: "initial", ...newCaller() });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: "name_mismatch", field: "name" });
    });

    it("answers invalid JSON with 400", async () => {
      const res = await post(target, `/${first}`, undefined, { raw: "{not json" });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: "invalid_json" });
    });

    it("answers a payload that fails the schema with 400 naming the field", async () => {
      const res = await post(target, `/${first}`, { name: first, action: "bogus", ...newCaller() });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: "invalid_payload", field: "action" });
      const wrongCaller = await post(target, `/${first}`, { name: first, action: "initial", call_from: 15125550100 });
      expect(wrongCaller.body).toMatchObject({ error: "invalid_payload", field: "call_from" });
    });

    it("answers a withheld caller ID, and never gives two such calls one key", async () => {
      const keys = new Set<string>();
      for (const withheld of [{}, { call_from: null }, { call_from: "" }, { call_from: "anonymous" }]) {
        keys.add(expectValidResponse(await post(target, `/${first}`, { name: first, action: "initial", ...withheld })).key);
      }
      expect(keys.size).toBe(4);
    });

    it("ends a call when Agent4 calls its call-ended notification: any method and body, any number of times", async () => {
      const caller = newCaller();
      const initial = () => post(target, `/${first}`, { name: first, action: "initial", ...caller }).then(expectValidResponse);
      const call1 = await initial();
      const ended = callEndedRequest(call1);
      // No answer carries the token: the key and the caller line together end the call, either alone nothing.
      expect(JSON.stringify(call1)).not.toContain(target.token);
      await fetch(target.url + ended.path, { method: "POST" });
      await fetch(target.url + ended.path, { method: "POST", headers: { "x-taskchain-caller": encodeURIComponent("12:+15125550000:+15128888888") } });
      await fetch(`${target.url}/calls/${crypto.randomUUID()}/ended`, { method: "POST", headers: ended.headers });
      expect((await initial()).key, "the call goes on until the notification").toBe(call1.key);
      for (const [method, body] of [["POST", "{not json"], ["POST", '{"status":"completed"}'], ["GET", undefined]] as const) {
        expect((await fetch(target.url + ended.path, { method, headers: ended.headers, body })).status, method).toBe(200);
      }
      const call2 = await initial();
      expect(call2.key).not.toBe(call1.key);
      // Call 1's notification arriving late does not end call 2.
      expect((await fetch(target.url + ended.path, { method: "POST", headers: ended.headers })).status).toBe(200);
      expect((await initial()).key).toBe(call2.key);
    });

    it("answers a body over 1 MiB with 413, and 401 first without the token", async () => {
      const big = JSON.stringify({ name: first, action: "initial", ...newCaller(), context: { pad: "x".repeat(1024 * 1024) } });
      const json = { "content-type": "application/json" };
      expect((await rawPost(target, `/${first}`, big, { ...json, authorization: `Bearer ${target.token}` })).status).toBe(413);
      expect((await rawPost(target, `/${first}`, big, json)).status).toBe(401);
    });

    it("refuses a compressed body with 415", async () => {
      const body = gzipSync(JSON.stringify({ name: first, action: "initial", ...newCaller() }));
      const res = await rawPost(target, `/${first}`, body, { "content-type": "application/json", "content-encoding": "gzip", authorization: `Bearer ${target.token}` });
      expect(res.status).toBe(415);
      expect(JSON.parse(res.body)).toMatchObject({ error: "unsupported_encoding" });
    });

    it("reads the payload whatever its Content-Type, without one, and after a byte order mark", async () => {
      const payload = JSON.stringify({ name: first, action: "initial", ...newCaller() });
      const auth = { authorization: `Bearer ${target.token}` };
      for (const [body, headers] of [
        [payload, { ...auth, "content-type": "text/plain" }],
        [payload, { ...auth, "content-type": "application/x-www-form-urlencoded" }],
        [payload, auth],
        [`\uFEFF${payload}`, { ...auth, "content-type": "application/json" }],
      ] as const) {
        const res = await rawPost(target, `/${first}`, body, headers);
        expectValidResponse({ status: res.status, body: JSON.parse(res.body) as unknown, headers: new Headers() });
      }
    });

    it("answers a JSON string (even one holding a payload) with 400, never parsing it twice", async () => {
      const payload = JSON.stringify({ name: first, action: "initial", ...newCaller() });
      const res = await post(target, `/${first}`, undefined, { raw: JSON.stringify(payload) });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: "invalid_payload" });
    });

    it("takes a trailing slash, and HEAD on /health", async () => {
      expectValidResponse(await post(target, `/${first}/`, { name: first, action: "initial", ...newCaller() }));
      expect((await fetch(`${target.url}/health/`)).status).toBe(200);
      expect((await fetch(`${target.url}/health`, { method: "HEAD" })).status).toBe(200);
    });

    it("answers other methods with 405", async () => {
      const res = await fetch(`${target.url}/${first}`, { method: "GET", headers: { authorization: `Bearer ${target.token}` } });
      expect(res.status).toBe(405);
      const put = await fetch(`${target.url}/${first}`, { method: "PUT", headers: { authorization: `Bearer ${target.token}` }, body: "{}" });
      expect(put.status).toBe(405);
    });

    // Calls recorded with TASKCHAIN_RECORD or `simulate --record` and kept in test/calls/ are
    // regression tests: each must still be answered as it was recorded.
    for (const file of recordedCallFiles()) {
      it(`answers the calls in test/calls/${file} as recorded`, async () => {
        const replay = await cli(["simulate", "--replay", `test/calls/${file}`, "--url", target.url, "--token", target.token]);
        expect(replay.code, replay.output).toBe(0);
      });
    }
  });
}

function recordedCallFiles(): string[] {
  return existsSync("test/calls") ? readdirSync("test/calls").filter((file) => file.endsWith(".jsonl")).sort() : [];
}

/** The create-taskchain this project pins (its devDependency), run with the same Node. */
function cli(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["node_modules/create-taskchain/bin/create-taskchain.js", ...args], (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

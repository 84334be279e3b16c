// The node:http adapter, run from a project generated inside the repo (so it resolves zod from
// the repo's node_modules and needs no install).
import { rmSync } from "node:fs";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { defaultParameters } from "../../src/spec/spec.js";
import { generateInRepo } from "../helpers/in-repo-project.js";
import { listenAddress } from "../../templates/node-process/src/dotenv.js";
import { ResponseSchema } from "../../templates/base/src/taskchain/protocol.js";

let dir = "";
let server: Server;
let base: string;
const token = "unit-token";

beforeAll(async () => {
  dir = await generateInRepo("node", [
    { name: "pin_vetting", prompt: "Ask for the PIN.", parameters: defaultParameters() },
    { name: "sms_vetting", prompt: "Ask for the code.", parameters: defaultParameters() },
  ]);
  const { createNodeServer } = (await import(path.join(dir, "src/server.ts"))) as { createNodeServer: (app: unknown) => Server };
  const { createApp } = (await import(path.join(dir, "src/app.ts"))) as { createApp: (env: Record<string, string>) => unknown };
  server = createNodeServer(createApp({ TASKCHAIN_TOKEN: token }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function raw(pathname: string, body: Buffer | string, headers: Record<string, string | number>, chunked = false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // A connection of its own: some of these declare more body than they send, so it cannot be reused.
    const req = request(`${base}${pathname}`, { method: "POST", agent: false, headers: { authorization: `Bearer ${token}`, ...headers } }, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    if (chunked) {
      const buf = Buffer.from(body);
      for (let i = 0; i < buf.length; i += 64 * 1024) req.write(buf.subarray(i, i + 64 * 1024));
      req.end();
    } else req.end(body);
  });
}

/**
 * POSTs the start of a body and no more (its declared Content-Length, or chunked, never reached):
 * resolves with the answer's status once one comes, rejects when none comes within `waitMs`.
 */
function partial(pathname: string, headers: Record<string, string | number>, waitMs = 3_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${pathname}`, { method: "POST", headers, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" ? undefined : reject(error)));
    req.setTimeout(waitMs, () => req.destroy(new Error(`no answer to POST ${pathname} while its body was still coming`)));
    req.write('{"name":"pin_vetting","action":"initial","call_from":"+1');
  });
}

describe("node:http adapter", () => {
  const payload = JSON.stringify({ name: "pin_vetting", action: "initial", call_from: "+15129999999", call_forwarded_by: "+15128888888" });

  it("answers a webhook call over real HTTP with a valid JSON response", async () => {
    const res = await raw("/pin_vetting", payload, { "content-type": "application/json" });
    expect(res.status).toBe(200);
    expect(ResponseSchema.safeParse(JSON.parse(res.body)).success).toBe(true);
  });

  it("refuses a body declared over 1 MiB with 413 before reading it", async () => {
    const res = await raw("/pin_vetting", "x", { "content-length": 1024 * 1024 + 1 });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: "payload_too_large" });
  });

  it("refuses a chunked body that grows over 1 MiB with 413", async () => {
    const big = JSON.stringify({ name: "pin_vetting", action: "initial", call_from: "+1", context: { pad: "y".repeat(1024 * 1024 + 10) } });
    const res = await raw("/pin_vetting", big, { "transfer-encoding": "chunked" }, true);
    expect(res.status).toBe(413);
  });

  it("accepts a body of exactly 1 MiB", async () => {
    const head = JSON.stringify({ name: "pin_vetting", action: "initial", call_from: "+1", context: { pad: "" } });
    const pad = "z".repeat(1024 * 1024 - Buffer.byteLength(head));
    const body = head.replace('"pad":""', `"pad":"${pad}"`);
    expect(Buffer.byteLength(body)).toBe(1024 * 1024);
    expect((await raw("/pin_vetting", body, {})).status).toBe(200);
  });

  it("answers a body over 1 MiB without the token with 401, declared or chunked, as the other runtimes do", async () => {
    const declared = await raw("/pin_vetting", "x", { authorization: "", "content-length": 1024 * 1024 + 1 });
    expect(declared.status).toBe(401);
    const big = JSON.stringify({ name: "pin_vetting", action: "initial", call_from: "+1", context: { pad: "y".repeat(1024 * 1024 + 10) } });
    expect((await raw("/pin_vetting", big, { authorization: "", "transfer-encoding": "chunked" }, true)).status).toBe(401);
  });

  it("refuses a compressed body with 415 and reads one with a byte order mark", async () => {
    const gz = await raw("/pin_vetting", gzipSync(payload), { "content-type": "application/json", "content-encoding": "gzip" });
    expect(gz.status).toBe(415);
    expect(JSON.parse(gz.body)).toMatchObject({ error: "unsupported_encoding" });
    expect((await raw("/pin_vetting", `\uFEFF${payload}`, { "content-type": "application/json" })).status).toBe(200);
  });

  it("answers a missing token (401) and a compressed body (415) before the body has arrived, as the framework runtimes do", async () => {
    const framings: Array<Record<string, string | number>> = [{ "content-length": 1000 }, { "transfer-encoding": "chunked" }];
    for (const framing of framings) {
      expect(await partial("/pin_vetting", { "content-type": "application/json", ...framing })).toBe(401);
      expect(await partial("/pin_vetting", { authorization: "Bearer nope", ...framing })).toBe(401);
      expect(await partial("/pin_vetting", { authorization: `Bearer ${token}`, "content-encoding": "gzip", ...framing })).toBe(415);
    }
    // With the token, plain JSON: the body is waited for (no answer before it ends).
    await expect(partial("/pin_vetting", { authorization: `Bearer ${token}`, "content-length": 1000 }, 300)).rejects.toThrow(/no answer/);
  });

  it("answers 401 without the token and 200 on /health", async () => {
    const res = await raw("/pin_vetting", payload, { authorization: "" });
    expect(res.status).toBe(401);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});

describe("node:http adapter, when the runtime itself fails", () => {
  it("answers 500 with a JSON error and logs one line, whatever was thrown (String() throws for some values)", async () => {
    const { createNodeServer } = (await import(path.join(dir, "src/server.ts"))) as { createNodeServer: (app: unknown) => Server };
    const { createApp } = (await import(path.join(dir, "src/app.ts"))) as { createApp: (env: Record<string, string>) => object };
    const failing = { ...createApp({}), handle: () => Promise.reject(Object.create(null)) };
    const broken = createNodeServer(failing);
    await new Promise<void>((resolve) => broken.listen(0, "127.0.0.1", resolve));
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const payload = JSON.stringify({ name: "pin_vetting", action: "initial", call_from: "+15129999999", call_forwarded_by: "+15128888888" });
      const res = await fetch(`http://127.0.0.1:${(broken.address() as AddressInfo).port}/pin_vetting`, { method: "POST", body: payload });
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({ error: "internal_error" });
      expect(logged.mock.calls.map((call) => JSON.parse(String(call[0])) as unknown)).toEqual([{ level: "error", message: "request failed", error: "[object Object]" }]);
    } finally {
      logged.mockRestore();
      await new Promise((resolve) => broken.close(resolve));
    }
  });
});

describe("listenAddress (PORT and HOST of every node-process runtime)", () => {
  it("defaults an unset or empty PORT and HOST, as simulate does, and refuses a PORT that is no port", () => {
    expect(listenAddress({})).toEqual({ port: 3000, host: "0.0.0.0" });
    expect(listenAddress({ PORT: "", HOST: " " })).toEqual({ port: 3000, host: "0.0.0.0" });
    expect(listenAddress({ PORT: "8080", HOST: "127.0.0.1" })).toEqual({ port: 8080, host: "127.0.0.1" });
    expect(listenAddress({ PORT: "0" }).port).toBe(0);
    for (const bad of ["abc", "80.5", "-1", "65536", "3000x"]) expect(() => listenAddress({ PORT: bad }), bad).toThrow(/^PORT is/);
  });
});

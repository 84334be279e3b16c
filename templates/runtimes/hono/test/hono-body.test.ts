// Where the body comes from: straight from node under @hono/node-server (the contract suite covers
// that), and through Hono's own Request when a middleware of yours read it first or there is no
// node request at all (app.request()).
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
import type { Server } from "node:http";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { chain } from "../src/links/index.ts";
import { createHonoApp } from "../src/server.ts";
import { listenTarget } from "./target-shared.ts";

const TOKEN = "body-test-token";
const name = chain[0].name;
const payload = JSON.stringify({ name, action: "initial", call_from: "+15125550100", call_forwarded_by: "" });
const headers = { "content-type": "application/json", authorization: `Bearer ${TOKEN}` };

describe("the hono webhook's request body", () => {
  it("is still answered when a middleware read the body before the webhook did", async () => {
    const outer = new Hono();
    const seen: string[] = [];
    outer.use(async (c, next) => {
      if (c.req.method === "POST") seen.push(((await c.req.json()) as { name: string }).name);
      await next();
    });
    outer.route("/", createHonoApp(createApp({ TASKCHAIN_TOKEN: TOKEN })));
    const target = await listenTarget(createAdaptorServer({ fetch: outer.fetch, hostname: "127.0.0.1" }) as Server, TOKEN);
    try {
      const res = await fetch(`${target.url}/${name}`, { method: "POST", headers, body: payload, signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(200);
      expect(await res.json()).toHaveProperty("key");
      expect(seen).toEqual([name]);
      const big = await fetch(`${target.url}/${name}`, { method: "POST", headers, body: JSON.stringify({ pad: "x".repeat(1024 * 1024) }), signal: AbortSignal.timeout(5000) });
      expect(big.status).toBe(413);
    } finally {
      await target.close();
    }
  });

  it("is answered under app.request(), with no node request behind it", async () => {
    const app = createHonoApp(createApp({ TASKCHAIN_TOKEN: TOKEN }));
    const res = await app.request(`/${name}`, { method: "POST", headers, body: payload });
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty("key");
    const big = await app.request(`/${name}`, { method: "POST", headers, body: "x".repeat(1024 * 1024 + 1) });
    expect(big.status).toBe(413);
    expect((await app.request(`/${name}`, { method: "POST", headers, body: "{" })).status).toBe(400);
  });
});

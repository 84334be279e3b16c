// Baseline for the hono runtime: @hono/node-server, c.req.json(), c.json() with the same response.
// Copied into the generated project so it uses that project's hono.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { randomUUID } from "node:crypto";

const template = JSON.parse(process.env.BENCH_RESPONSE);
const keys = new Map();
const app = new Hono();
app.post("/:link", async (c) => {
  const payload = await c.req.json();
  let key = keys.get(payload.call_from);
  if (!key) keys.set(payload.call_from, (key = randomUUID()));
  return c.json({ ...template, key });
});
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: "127.0.0.1" });

// Baseline for the fastify runtime: fastify's own JSON body parser, the same response object.
// Copied into the generated project so it uses that project's fastify.
import Fastify from "fastify";
import { randomUUID } from "node:crypto";

const template = JSON.parse(process.env.BENCH_RESPONSE);
const keys = new Map();
const app = Fastify({ bodyLimit: 1024 * 1024 });
app.post("/:link", async (req) => {
  let key = keys.get(req.body.call_from);
  if (!key) keys.set(req.body.call_from, (key = randomUUID()));
  return { ...template, key };
});
await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });

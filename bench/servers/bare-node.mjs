// Baseline for the node runtime: node:http, reads the body, parses the same JSON, answers the same
// response (the generated server's answer to this payload, with a per-caller key). Nothing else.
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";

const template = JSON.parse(process.env.BENCH_RESPONSE);
const keys = new Map();

createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const payload = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    let key = keys.get(payload.call_from);
    if (!key) keys.set(payload.call_from, (key = randomUUID()));
    const body = JSON.stringify({ ...template, key });
    res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
}).listen(Number(process.env.PORT), "127.0.0.1");

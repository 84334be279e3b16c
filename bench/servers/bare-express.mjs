// Baseline for the express runtime: express.json() parses the payload, res.json() answers the same
// response. Copied into the generated project so it uses that project's express.
import express from "express";
import { randomUUID } from "node:crypto";

const template = JSON.parse(process.env.BENCH_RESPONSE);
const keys = new Map();
const app = express();
app.post("/:link", express.json({ limit: "1mb" }), (req, res) => {
  let key = keys.get(req.body.call_from);
  if (!key) keys.set(req.body.call_from, (key = randomUUID()));
  res.json({ ...template, key });
});
app.listen(Number(process.env.PORT), "127.0.0.1");

// Each command's options as zod schemas: where commander's untyped values become the command's
// typed options (cli.ts parses with them inside each action, so `--help` loads none of this). A
// value of another type is a mismatch between cli.ts's declarations and these schemas: a bug shown
// as "unexpected error", never a user error. zod/mini: create loads it anyway.
import * as z from "zod/mini";

const text = z.optional(z.string());
const flag = z.optional(z.boolean());
/** A repeatable `--name <value>`, collected into a list. */
const list = z.optional(z.array(z.string()));

export const create = z.object({
  dir: text,
  link: list,
  runtime: text,
  example: text,
  spec: text,
  fromChain: text,
  baseUrl: text,
  trigger: text,
  pm: text,
  install: flag,
  git: flag,
  yes: flag,
  dryRun: flag,
  force: flag,
});

export const addLink = z.object({
  name: z.string(),
  cwd: text,
  after: text,
  before: text,
  prompt: text,
  qualified: list,
  disqualified: list,
  interrupt: list,
  yes: flag,
  dryRun: flag,
});

export const removeLink = z.object({ name: z.string(), cwd: text, force: flag, dryRun: flag });

export const renameLink = z.object({ from: z.string(), to: z.string(), cwd: text, dryRun: flag });

export const upgrade = z.object({ cwd: text, dryRun: flag, diff: flag, force: list });

export const chain = z.object({ cwd: text, baseUrl: text, check: flag, print: flag, withToken: flag, graph: flag });

export const simulate = z.object({
  url: text,
  chain: text,
  from: text,
  forwardedBy: text,
  token: text,
  script: text,
  json: flag,
  graph: flag,
  record: text,
  replay: text,
  update: flag,
});

export const verify = z.object({ url: z.string(), chain: text, token: text, json: flag, latency: flag, rounds: text, budget: text });

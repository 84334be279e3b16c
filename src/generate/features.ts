// One installer per runtime and per example (create-t3-app style): each names its template folder,
// its dependencies and scripts, and any links it brings with their own code.
import type { Route } from "./chain-graph.js";
import type { Example, Runtime, SessionStoreName } from "../spec/spec.js";

export interface Feature {
  /** Template folder under templates/, rendered over the project. */
  folder: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  /** Links this feature writes itself (src/links/<name>.ts + test/<name>.test.ts), appended to the chain. */
  links?: string[];
  /** Where those links' handlers send the call, as their code shows it: the README's graph at create. */
  routes?: Route[];
  /** The project's `tsconfig.json` compilerOptions.types, when not ["node"]. */
  types?: string[];
  /**
   * npm's allowScripts for dependencies that ship an install script: false where the package
   * works without it (its binary comes as an optional dependency), so npm installs it quietly.
   */
  allowScripts?: Record<string, boolean>;
  /** Features this one builds on, rendered before it (so its files win). */
  includes?: Feature[];
}

// Node runs the TypeScript itself (type stripping): no loader, no build, nothing from
// devDependencies at run time, so `npm ci --omit=dev && npm start` serves.
const nodeScripts = {
  start: "node src/main.ts",
  dev: "node --watch src/main.ts",
};

/** src/taskchain/outage.ts: one log line per outage, and a timeout per request, for the stores with a backend. */
const OUTAGE_LOG: Feature = { folder: "stores/outage" };

/**
 * Where sessions live (`--sessions`, `create-taskchain sessions`). Each store writes src/sessions.ts,
 * which the entry file imports (a Workers store also its bindings in wrangler.jsonc, from the
 * store's _partial.wrangler.jsonc.ejs), so switching stores swaps files and dependencies and never
 * edits the entry file.
 */

export const STORE_FEATURES: Record<SessionStoreName, Feature> = {
  memory: { folder: "stores/memory" },
  redis: { folder: "stores/redis", dependencies: { "@redis/client": "^5.9.0" }, includes: [OUTAGE_LOG] },
  kv: { folder: "stores/kv", includes: [OUTAGE_LOG] },
  dynamodb: { folder: "stores/dynamodb", dependencies: { "@aws-sdk/client-dynamodb": "^3.1178.0" }, includes: [OUTAGE_LOG] },
  "durable-object": { folder: "stores/durable-object", includes: [OUTAGE_LOG] },
};

/** src/shutdown.ts and src/dotenv.ts: start-up and graceful exit, for every runtime that runs as a node process (Lambda's local gateway too). */
export const NODE_PROCESS: Feature = { folder: "node-process" };

/** src/stderr-logger.ts and src/record-file.ts: a long-running server's log lines and call recordings. */
export const NODE_SERVER: Feature = { folder: "node-server" };

/** Dockerfile and .dockerignore: the production image of a runtime that runs as a node process. */
export const DOCKER: Feature = { folder: "docker" };

/** src/body.ts: a request body read straight from node:http, for the runtimes that get one (node, hono). */
export const NODE_BODY: Feature = { folder: "node-body" };

// The test target bundles with esbuild and runs miniflare (the engine behind `wrangler dev`), each at
// wrangler's own version, so npm installs one copy of them and of workerd.
const WRANGLER = "4.164.0";
const MINIFLARE = "5.20261117.0-beta";
const WRANGLER_ESBUILD = "0.28.2";

export const RUNTIME_FEATURES: Record<Runtime, Feature> = {
  node: { folder: "runtimes/node", scripts: nodeScripts, includes: [NODE_PROCESS, NODE_SERVER, DOCKER, NODE_BODY] },
  express: {
    folder: "runtimes/express",
    scripts: nodeScripts,
    includes: [NODE_PROCESS, NODE_SERVER, DOCKER],
    dependencies: { express: "^5.1.0" },
    devDependencies: { "@types/express": "^5.0.3" },
  },
  fastify: { folder: "runtimes/fastify", scripts: nodeScripts, includes: [NODE_PROCESS, NODE_SERVER, DOCKER], dependencies: { fastify: "^5.6.0" } },
  hono: {
    folder: "runtimes/hono",
    scripts: nodeScripts,
    includes: [NODE_PROCESS, NODE_SERVER, DOCKER, NODE_BODY],
    dependencies: { hono: "^4.10.0", "@hono/node-server": "^1.19.0" },
  },
  cloudflare: {
    folder: "runtimes/cloudflare",
    scripts: {
      dev: "wrangler dev",
      start: "wrangler dev",
      deploy: "wrangler deploy",
      build: "wrangler deploy --dry-run --outdir dist",
    },
    devDependencies: { wrangler: WRANGLER, miniflare: MINIFLARE, esbuild: WRANGLER_ESBUILD },
    allowScripts: { esbuild: false, workerd: false },
  },
  lambda: {
    folder: "runtimes/lambda",
    includes: [NODE_PROCESS],
    scripts: {
      dev: "node --watch src/local.ts",
      start: "node src/local.ts",
      // ESM bundle; the banner gives bundled CommonJS dependencies a `require` for node built-ins.
      build:
        "esbuild src/server.ts --bundle --platform=node --target=node22 --format=esm --outfile=dist/index.mjs --banner:js=\"import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);\"",
    },
    devDependencies: { "@types/aws-lambda": "^8.10.160", esbuild: "^0.28.2" },
    allowScripts: { esbuild: false },
  },
};

export const EXAMPLE_FEATURES: Record<Example, Feature> = {
  // "Where is my order?": two links, a typed V1/V2 ShipStation client (zod + fetch, no new
  // dependencies) and a fake ShipStation for its tests (`npm run shipstation:fake` to try it).
  shipstation: {
    folder: "examples/shipstation",
    links: ["order_lookup", "order_followup"],
    // A lookup that finds nothing asks again; hand-offs transfer, or end the call without TRANSFER_NUMBER.
    routes: [
      { from: "order_lookup", handler: "qualified", action: "next_task" },
      { from: "order_lookup", handler: "qualified", action: "switch_task", target: "order_lookup" },
      { from: "order_lookup", handler: "qualified", action: "transfer_call" },
      { from: "order_lookup", handler: "qualified", action: "end_call" },
      { from: "order_lookup", handler: "disqualified", action: "transfer_call" },
      { from: "order_lookup", handler: "disqualified", action: "end_call" },
      { from: "order_followup", handler: "qualified", action: "transfer_call" },
      { from: "order_followup", handler: "qualified", action: "end_call" },
      { from: "order_followup", handler: "disqualified", action: "end_call" },
    ],
    scripts: { "shipstation:fake": "node test/shipstation/serve.ts" },
  },
};

/** A project's features in the order they are rendered: a feature's `includes` under it, so it can override them. */
export function projectFeatures(runtime: Runtime, sessions: SessionStoreName, example?: Example): Feature[] {
  const top = [RUNTIME_FEATURES[runtime], STORE_FEATURES[sessions], ...(example ? [EXAMPLE_FEATURES[example]] : [])];
  return top.flatMap((f) => [...(f.includes ?? []), f]);
}

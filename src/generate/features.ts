// One installer per runtime and per example (create-t3-app style): each names its template folder,
// its dependencies and scripts, and any links it brings with their own code.
import type { Example, Runtime } from "../spec/spec.js";

export interface Feature {
  /** Template folder under templates/, rendered over the project. */
  folder: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  /** Links this feature writes itself (src/links/<name>.ts + test/<name>.test.ts), appended to the chain. */
  links?: string[];
  /** The project's `tsconfig.json` compilerOptions.types, when not ["node"]. */
  types?: string[];
}

const nodeScripts = {
  start: "tsx src/main.ts",
  dev: "tsx watch src/main.ts",
};

export const RUNTIME_FEATURES: Record<Runtime, Feature> = {
  node: { folder: "runtimes/node", scripts: nodeScripts },
  express: { folder: "runtimes/express", scripts: nodeScripts },
  fastify: { folder: "runtimes/fastify", scripts: nodeScripts },
  hono: { folder: "runtimes/hono", scripts: nodeScripts },
  cloudflare: { folder: "runtimes/cloudflare" },
  lambda: { folder: "runtimes/lambda" },
};

export const EXAMPLE_FEATURES: Record<Example, Feature> = {
  shipstation: { folder: "examples/shipstation" },
};

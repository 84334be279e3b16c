// Generated projects deploy as generated, on each Node.js they support: the install prints no
// install-script warning, they type-check and pass their own tests, and their production form
// serves. For the node-process runtimes that form is the Dockerfile, played step by step on a clean
// copy (no Docker daemon here): `npm ci --omit=dev` from a lockfile, then its CMD, HEALTHCHECK and
// SIGTERM, with the project's contract files run against it. For cloudflare it is wrangler's
// dry-run deploy; for lambda, the built handler file with nothing next to it.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitNewProject } from "../../src/fs/changeset.js";
import { generateProject } from "../../src/generate/project.js";
import { defaultParameters, defaultPrompt, ProjectSpecSchema, RUNTIMES, type Runtime } from "../../src/spec/spec.js";
import { ResponseSchema } from "../../templates/base/src/taskchain/protocol.ts";
import { expectProjectGreen, freePort, installLog, installProject, nodeEnv, PROJECT_NODES, projectNode, run, runAsync, serve, tempDir, type ProjectNode, type Served } from "../helpers/project.js";
import { startRegistry, type LocalRegistry } from "../helpers/registry.js";
import { DEEP, QUICK_RUNTIMES } from "../helpers/deep.js";

const token = "deploy-test-token";
const LINKS = ["pin_vetting", "order_status"];
const NODE_PROCESS: readonly Runtime[] = ["node", "express", "fastify", "hono"];

let registry: LocalRegistry;
const made: string[] = [];
const running: Served[] = [];
beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  for (const s of running) await s.stop("SIGKILL");
  await registry?.stop();
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function scratch(prefix: string): string {
  const dir = tempDir(prefix);
  made.push(dir);
  return dir;
}

const projects = new Map<Runtime, string>();
async function project(runtime: Runtime): Promise<string> {
  let dir = projects.get(runtime);
  if (!dir) {
    dir = path.join(scratch("taskchain-deploy-"), `hooks-${runtime}`);
    const spec = ProjectSpecSchema.parse({
      packageName: `hooks-${runtime}`,
      runtime,
      baseUrl: "https://hooks.example.com",
      trigger: "check my order",
      links: LINKS.map((name) => ({ name, prompt: defaultPrompt(name), parameters: defaultParameters() })),
    });
    await commitNewProject(generateProject(spec, dir));
    installProject(dir);
    projects.set(runtime, dir);
  }
  return dir;
}

interface Instruction {
  op: string;
  args: string;
}

/** The Dockerfile's instructions in order, continuation lines joined, comments dropped. */
function dockerfile(dir: string): Instruction[] {
  const text = readFileSync(path.join(dir, "Dockerfile"), "utf8").replace(/\\\n\s*/g, " ");
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(" ") };
    });
}

interface Image {
  workdir: string;
  env: Record<string, string>;
  cmd: string[];
  healthcheck: string[];
  user: string | undefined;
}

/**
 * Plays the Dockerfile on a clean copy of the project: each stage a folder, COPY from the build
 * context (the project without node_modules, with the lockfile a user commits) or from a stage,
 * RUN in the stage's WORKDIR on `node`. Anything else in the file fails the test, so the file
 * cannot grow a step this does not check.
 */
function playDockerfile(dir: string, node: ProjectNode): Image {
  const context = path.join(scratch("taskchain-context-"), "ctx");
  cpSync(dir, context, { recursive: true, filter: (src) => path.basename(src) !== "node_modules" });
  const lock = run("npm", ["install", "--package-lock-only", "--no-audit", "--no-fund"], context, { ...nodeEnv(node), ...registry.env });
  expect(lock.code, lock.stderr).toBe(0);
  const stages = new Map<string, string>();
  let root = "";
  let image: Image | undefined;
  for (const { op, args } of dockerfile(dir)) {
    if (op === "FROM") {
      const [base, as, name] = args.split(/\s+/);
      expect(base).toMatch(/^node:\d+-slim$/);
      root = scratch("taskchain-stage-");
      if (as?.toUpperCase() === "AS") stages.set(name!, root);
      image = { workdir: root, env: {}, cmd: [], healthcheck: [], user: undefined };
      continue;
    }
    expect(image, `${op} before FROM`).toBeDefined();
    const img = image!;
    if (op === "WORKDIR") {
      img.workdir = path.join(root, args);
      mkdirSync(img.workdir, { recursive: true });
    } else if (op === "COPY") {
      const parts = args.split(/\s+/);
      const from = parts[0]!.startsWith("--from=") ? stages.get(parts.shift()!.slice("--from=".length)) : undefined;
      const rawDest = parts.pop()!;
      const dest = path.resolve(img.workdir, rawDest);
      // Docker's rule: into the folder when the destination ends with "/" or there are several sources.
      const intoFolder = parts.length > 1 || rawDest.endsWith("/");
      for (const src of parts) {
        const source = from ? path.join(from, src) : path.join(context, src);
        expect(existsSync(source), `COPY ${src}: not in the ${from ? "stage" : "build context"}`).toBe(true);
        const target = intoFolder ? path.join(dest, path.basename(src)) : dest;
        cpSync(source, target, { recursive: true });
      }
    } else if (op === "RUN") {
      const r = spawnSync("sh", ["-c", args], { cwd: img.workdir, encoding: "utf8", env: { ...process.env, ...nodeEnv(node), ...registry.env, ...img.env } });
      expect(r.status, `RUN ${args}\n${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stderr).not.toMatch(/install-scripts/);
    } else if (op === "ENV") {
      for (const pair of args.split(/\s+/)) {
        const [k, v] = pair.split("=");
        img.env[k!] = v!;
      }
    } else if (op === "USER") img.user = args;
    else if (op === "EXPOSE") expect(args).toBe("3000");
    else if (op === "HEALTHCHECK") img.healthcheck = JSON.parse(args.slice(args.indexOf("CMD ") + 4)) as string[];
    else if (op === "CMD") img.cmd = JSON.parse(args) as string[];
    else throw new Error(`Dockerfile instruction ${op} is not played by this test`);
  }
  return image!;
}

// Every runtime on every Node in the deep run; otherwise one runtime of each kind on the default
// Node, and the default runtime on the newest, so that every Node is covered.
const SAMPLED: readonly Runtime[] = DEEP ? RUNTIMES : QUICK_RUNTIMES;
const nodesOf = (runtime: Runtime): ProjectNode[] => (DEEP ? [...PROJECT_NODES] : [runtime === "node" ? PROJECT_NODES.at(-1)! : PROJECT_NODES[0]]);
// runtimes.test.ts type-checks and tests every runtime on the default Node; the quick run leaves that to it.
const greenOn = (node: ProjectNode): boolean => DEEP || node !== PROJECT_NODES[0];

describe.each(SAMPLED)("%s project", (runtime) => {
  it("installs with no install-script warning", async () => {
    const dir = await project(runtime);
    const log = installLog(dir);
    expect(log).not.toMatch(/install-scripts|install scripts/i);
    expect(log).not.toMatch(/EBADENGINE/);
  });

  describe.each(nodesOf(runtime))("on Node %i", (node) => {
    if (greenOn(node)) it("type-checks and passes its own tests", async () => {
      const dir = await project(runtime);
      const version = run("node", ["--version"], dir, nodeEnv(node)).stdout.trim();
      expect(version.startsWith(`v${node}.`), version).toBe(true);
      const { test } = expectProjectGreen(dir, nodeEnv(node));
      expect(test.stdout + test.stderr).toMatch(/Tests\s+\d+ passed/);
    });

    if (NODE_PROCESS.includes(runtime)) {
      it("runs from its Dockerfile: production dependencies only, non-root, healthy, the contract passes, SIGTERM exits 0", async () => {
        const dir = await project(runtime);
        const image = playDockerfile(dir, node);
        expect(image.env.NODE_ENV).toBe("production");
        expect(image.user).toBe("node");
        expect(image.cmd).toEqual(["node", "src/main.ts"]);
        expect(existsSync(path.join(image.workdir, "node_modules/zod"))).toBe(true);
        for (const dev of ["vitest", "typescript", "create-taskchain", "@types/node"]) expect(existsSync(path.join(image.workdir, "node_modules", dev)), dev).toBe(false);

        const port = await freePort();
        const env = { ...image.env, ...nodeEnv(node), PORT: String(port), HOST: "127.0.0.1", TASKCHAIN_TOKEN: token };
        const served = await serve(projectNode(node), image.cmd.slice(1), image.workdir, env, `http://127.0.0.1:${port}`);
        running.push(served);

        const health = spawnSync(projectNode(node), image.healthcheck.slice(1), { env: { ...process.env, ...env }, encoding: "utf8" });
        expect(health.status, health.stderr).toBe(0);

        const contract = await runAsync(path.join(dir, "node_modules/.bin/vitest"), ["run", "test/server.test.ts", ...LINKS.map((l) => `test/${l}.test.ts`)], dir, {
          ...nodeEnv(node),
          TASKCHAIN_URL: served.url,
          TASKCHAIN_TOKEN: token,
        });
        const out = contract.stdout + contract.stderr;
        expect(contract.code, out).toBe(0);
        expect(out).toMatch(/Test Files\s+3 passed/);
        expect(served.output()).toMatch(/context did not parse/); // the traffic reached this server

        expect(await served.stop("SIGTERM"), served.output()).toBe(0);
        expect(served.output()).toMatch(/SIGTERM: closing/);
      });
    }

    if (runtime === "cloudflare") {
      it("builds for deploy with wrangler deploy --dry-run", async () => {
        const dir = await project(runtime);
        const outdir = scratch("taskchain-wrangler-");
        const quiet = { CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
        const r = run(path.join(dir, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", outdir], dir, { ...nodeEnv(node), ...quiet });
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(r.stdout + r.stderr).toMatch(/--dry-run: exiting now/);
        expect(existsSync(path.join(outdir, "server.js"))).toBe(true);
      });
    }

    if (runtime === "lambda") {
      it("answers from the built handler file alone, with no node_modules beside it", async () => {
        const dir = await project(runtime);
        const build = run("npm", ["run", "build", "--silent"], dir, nodeEnv(node));
        expect(build.code, build.stdout + build.stderr).toBe(0);
        const alone = scratch("taskchain-lambda-");
        cpSync(path.join(dir, "dist/index.mjs"), path.join(alone, "index.mjs"));
        const body = JSON.stringify({ name: "pin_vetting", action: "initial", call_from: "+15125550101", call_forwarded_by: "" });
        const event = {
          version: "2.0",
          routeKey: "$default",
          rawPath: "/pin_vetting",
          rawQueryString: `token=${token}`,
          queryStringParameters: { token },
          headers: { "content-type": "application/json", host: "abc.lambda-url.us-east-1.on.aws" },
          requestContext: { domainName: "abc.lambda-url.us-east-1.on.aws", http: { method: "POST", path: "/pin_vetting", protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "Agent4" }, stage: "$default" },
          body,
          isBase64Encoded: false,
        };
        writeFileSync(path.join(alone, "invoke.mjs"), `import { handler } from "./index.mjs";\nconsole.log(JSON.stringify(await handler(${JSON.stringify(event)})));\n`);
        const r = run(projectNode(node), ["invoke.mjs"], alone, { TASKCHAIN_TOKEN: token, NODE_PATH: undefined });
        expect(r.code, r.stderr).toBe(0);
        const result = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { statusCode: number; body: string };
        expect(result.statusCode).toBe(200);
        expect(ResponseSchema.parse(JSON.parse(result.body)).content).toBe(defaultPrompt("pin_vetting"));
      });
    }
  });
});

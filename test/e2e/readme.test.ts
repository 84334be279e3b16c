// Every shell command in every generated README runs, in the README's order, in the project it
// describes: each runtime, with and without the ShipStation example. Servers the README starts
// (`npm run dev`, `npm start`, the fake ShipStation) run in the background on free ports, which
// replace the README's fixed ones in later commands; interactive ones (`simulate` without a script)
// run on a pseudo-terminal, taking each default. Commands that need a cloud account or a Docker
// daemon cannot run here: they are listed below, and deploy.test.ts runs their local stand-ins.
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commitNewProject } from "../../src/fs/changeset.js";
import { generateProject } from "../../src/generate/project.js";
import { defaultParameters, defaultPrompt, ProjectSpecSchema, RUNTIMES, type Runtime, type SessionStoreName } from "../../src/spec/spec.js";
import { freePort, installProject, run, serve, tempDir, type Served } from "../helpers/project.js";
import { PtySession } from "../helpers/pty.js";
import { DEEP, QUICK_READMES } from "../helpers/deep.js";

/** Commands that reach a cloud account or a Docker daemon, by the README's own text. */
const NEEDS_CLOUD = [
  /^npx wrangler kv namespace create /,
  /^npx wrangler secret put /,
  /^npm run deploy$/,
  /^docker (build|run) /,
  /^sam deploy/,
];

const token = "readme-test-token";
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The README's shell commands in order: ```sh blocks, continuation lines joined, comments dropped. */
function readmeCommands(readme: string): string[] {
  const commands: string[] = [];
  for (const block of readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    const text = block[1]!.replace(/\\\n\s*/g, " ");
    for (const line of text.split("\n")) {
      const command = line.replace(/(^|\s+)#(\s.*)?$/, "").trim();
      if (command) commands.push(command);
    }
  }
  return commands;
}

async function project(runtime: Runtime, example: boolean, sessions?: SessionStoreName): Promise<string> {
  const root = tempDir("taskchain-readme-");
  dirs.push(root);
  const dir = path.join(root, "hooks");
  const spec = ProjectSpecSchema.parse({
    packageName: "hooks",
    runtime,
    baseUrl: "https://hooks.example.com",
    trigger: "where is my order",
    links: ["pin_vetting", "wrap_up"].map((name) => ({ name, prompt: defaultPrompt(name), parameters: defaultParameters() })),
    ...(example ? { example: "shipstation" } : {}),
    ...(sessions ? { sessions } : {}),
  });
  await commitNewProject(generateProject(spec, dir));
  installProject(dir);
  return dir;
}

// The deep run: every runtime with its default store, with and without the example (a worker's
// Durable Objects need nothing created), and a worker keeping its sessions in KV, whose namespace is
// created by hand. The quick run: the default runtime's, with the example (QUICK_READMES).
const CASES: Array<readonly [Runtime, boolean, SessionStoreName | undefined]> = DEEP
  ? [...RUNTIMES.flatMap((runtime) => [false, true].map((example) => [runtime, example, undefined] as const)), ["cloudflare", false, "kv"]]
  : QUICK_READMES.map(([runtime, example]) => [runtime, example, undefined] as const);

describe.each(CASES)("the %s README (example: %s, sessions: %s)", (runtime, example, sessions) => {
  it("runs every command it shows", async () => {
    const dir = await project(runtime, example, sessions);
    const readme = readFileSync(path.join(dir, "README.md"), "utf8");
    const commands = readmeCommands(readme);
    expect(commands.length).toBeGreaterThan(5);
    const devPort = await freePort();
    const fakePort = await freePort();
    const ports: Record<string, number> = { "localhost:3000": devPort, "localhost:8787": devPort, "127.0.0.1:4010": fakePort };
    const local = (command: string) => command.replace(/localhost:3000|localhost:8787|127\.0\.0\.1:4010/g, (m) => `127.0.0.1:${ports[m]}`);
    // What a user has set by the time they run these: the token, and the port the dev server is on.
    const env = { TASKCHAIN_TOKEN: token, PORT: String(devPort), HOST: "127.0.0.1", FAKE_SHIPSTATION_PORT: String(fakePort), CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
    const background = new Map<string, Served>();
    const skipped: string[] = [];
    const ran: string[] = [];
    try {
      for (const original of commands) {
        const command = local(original);
        if (NEEDS_CLOUD.some((re) => re.test(command))) {
          skipped.push(original);
          continue;
        }
        ran.push(original);
        // Installed already, through the test cache of this exact dependency set (registry.test.ts installs one for real).
        if (command === "npm install") continue;
        const server = /^((?:\w+=\S+\s+)*)npm (?:run dev|start|run shipstation:fake)$/.exec(command);
        if (server) {
          const fake = command.endsWith("shipstation:fake");
          const key = fake ? "fake" : "dev";
          await background.get(key)?.stop();
          const assigned = Object.fromEntries([...server[1]!.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
          const args = command.slice(server[1]!.length).split(" ").slice(1);
          // wrangler dev takes neither PORT nor the environment's token: the token as a user's .dev.vars would give it.
          if (runtime === "cloudflare" && !fake) args.push("--", "--ip", "127.0.0.1", "--port", String(devPort), "--var", `TASKCHAIN_TOKEN:${token}`);
          const port = fake ? fakePort : devPort;
          background.set(key, await serve("npm", args, dir, { ...env, ...assigned }, `http://127.0.0.1:${port}`, 120_000));
          continue;
        }
        const interactive = /^(npm run simulate|npx create-taskchain simulate( --url \S+)?)$/.test(command);
        if (interactive) {
          const [file, ...args] = command.split(" ");
          const term = new PtySession(args, dir, { command: file, env });
          const exited = (async () => {
            // Enter takes the default at each question (the first outcome); a value the caller must
            // give gets an order number (what the example's README asks for); until the call ends.
            for (let i = 0; i < 200; i++) {
              await new Promise((r) => setTimeout(r, 150));
              const question = term.text.slice(term.text.lastIndexOf("◆"));
              term.type(/\[(string|integer|number)\]/.test(question) && !question.includes("◇") && /│  _/.test(question) ? "1005\r" : "\r");
            }
          })();
          const code = await Promise.race([term.exited, exited.then(() => "timeout" as const)]);
          if (code === "timeout") term.kill();
          expect(code, `${original}\n${term.text}`).toBe(0);
          continue;
        }
        const r = run("sh", ["-c", command], dir, env, 600_000);
        expect(r.code, `${original}\n${r.stdout}\n${r.stderr}`).toBe(0);
      }
    } finally {
      for (const s of background.values()) await s.stop();
    }
    expect(ran).toContain("npm test");
    expect(ran.some((c) => c.includes("simulate"))).toBe(true);
    const kv = sessions === "kv";
    const expectedSkips = runtime === "cloudflare" ? [...(kv ? ["npx wrangler kv namespace create SESSIONS"] : []), "npx wrangler secret put TASKCHAIN_TOKEN", "npm run deploy"] : [];
    expect(skipped).toEqual(expectedSkips);
  });
});

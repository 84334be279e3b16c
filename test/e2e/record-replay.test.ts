// Recorded calls replay, on every runtime: a project started with TASKCHAIN_RECORD records a
// scripted call (to a file on a node process, to its log on Workers and Lambda); the recording holds
// no phone number, replays green against the same build and red, with a diff, once the handler's
// words change. On node the project's own `npm test` replays test/calls/ as well.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commitNewProject } from "../../src/fs/changeset.js";
import { generateProject } from "../../src/generate/project.js";
import { defaultParameters, defaultPrompt, ProjectSpecSchema, RUNTIMES, type Runtime } from "../../src/spec/spec.js";
import { sampleRuntimes } from "../helpers/deep.js";
import { CLI, freePort, installProject, projectNode, run, runAsync, serve, tempDir, type Served } from "../helpers/project.js";

const token = "record-test-token";
const caller = "+15125550142";
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function project(runtime: Runtime): Promise<string> {
  const root = tempDir("taskchain-record-");
  dirs.push(root);
  const dir = path.join(root, "hooks");
  const links = ["pin_vetting", "wrap_up"].map((name) => ({ name, prompt: defaultPrompt(name), parameters: defaultParameters() }));
  await commitNewProject(generateProject(ProjectSpecSchema.parse({ packageName: "hooks", runtime, baseUrl: "https://hooks.example.com", trigger: "where is my order", links }), dir));
  installProject(dir);
  return dir;
}

/** The project served as it runs for real, recording to `recordTo` (a file, or `log`). */
async function start(runtime: Runtime, dir: string, recordTo: string): Promise<Served> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { PORT: String(port), HOST: "127.0.0.1", TASKCHAIN_TOKEN: token, TASKCHAIN_RECORD: recordTo, REDIS_URL: undefined };
  if (runtime === "cloudflare") {
    const vars = ["--var", `TASKCHAIN_TOKEN:${token}`, "--var", `TASKCHAIN_RECORD:${recordTo}`];
    const quiet = { CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };
    return serve(path.join(dir, "node_modules/.bin/wrangler"), ["dev", "--ip", "127.0.0.1", "--port", String(port), ...vars], dir, quiet, url, 120_000);
  }
  if (runtime === "lambda") {
    const build = run("npm", ["run", "build", "--silent"], dir);
    expect(build.code, build.stdout + build.stderr).toBe(0);
    return serve(projectNode(), ["src/local.ts", "dist/index.mjs"], dir, env, url);
  }
  return serve(projectNode(), ["src/main.ts"], dir, env, url);
}

const cli = (dir: string, args: string[]) => runAsync(process.execPath, [CLI, ...args], dir, { TASKCHAIN_TOKEN: token });

describe.each(sampleRuntimes(RUNTIMES))("recorded calls on %s", (runtime) => {
  it("record a call without its numbers, replay green on the same build and red with a diff after a change", async () => {
    const dir = await project(runtime);
    const viaLog = runtime === "cloudflare" || runtime === "lambda";
    const file = path.join(dir, "calls.jsonl");
    let served = await start(runtime, dir, viaLog ? "log" : file);
    try {
      const call = await cli(dir, ["simulate", "--url", served.url, "--script", "scenarios/call.json", "--from", caller]);
      expect(call.code, call.stdout + call.stderr).toBe(0);
      // The recorder writes after answering: give the last line a moment to land.
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (viaLog) writeFileSync(file, served.output());
      // Replayed from a copy: the server goes on recording, the replay included.
      const recorded = readFileSync(file, "utf8");
      const replayed = path.join(dir, "replayed.jsonl");
      writeFileSync(replayed, recorded);
      const lines = recorded.split("\n").filter((line) => line.includes('"taskchain":"call"'));
      expect(lines.map((line) => (JSON.parse(line.slice(line.indexOf("{"))) as { action: string }).action)).toEqual(["initial", "disqualified"]);
      expect(recorded).not.toContain("5125550142");
      expect(recorded).not.toContain("5125550199");

      const same = await cli(dir, ["simulate", "--replay", replayed, "--url", served.url]);
      expect(same.code, same.stdout + same.stderr).toBe(0);
      expect(same.stdout).toContain("PASS: 1 recorded call in");

      await served.stop();
      const link = path.join(dir, "src/links/pin_vetting.ts");
      writeFileSync(link, readFileSync(link, "utf8").replace("I'm sorry, I can't continue with this on the phone.", "Goodbye for now."));
      served = await start(runtime, dir, viaLog ? "log" : path.join(dir, "later.jsonl"));
      const changed = await cli(dir, ["simulate", "--replay", replayed, "--url", served.url]);
      expect(changed.code, changed.stdout + changed.stderr).toBe(1);
      expect(changed.stdout).toContain("✗ call 1: pin_vetting initial → pin_vetting disqualified");
      expect(changed.stdout).toContain("FAIL: 1 of 1 recorded call in");
      expect(changed.stdout).toMatch(/^ +--- recorded\n +\+\+\+ now$/m);
      expect(changed.stdout).toContain("answer 2 (pin_vetting disqualified): the answer differs");
      expect(changed.stdout).toMatch(/^ +-  "content": "I'm sorry, I can't continue with this on the phone\. Thank you for calling\.",$/m);
      expect(changed.stdout).toMatch(/^ +\+  "content": "Goodbye for now\. Thank you for calling\.",$/m);

      if (runtime === "node") {
        // The project's own suite replays test/calls/: red against the changed handler, green once updated.
        mkdirSync(path.join(dir, "test/calls"));
        writeFileSync(path.join(dir, "test/calls/first.jsonl"), recorded);
        const red = run("npm", ["test", "--silent"], dir);
        expect(red.code).not.toBe(0);
        expect(red.stdout + red.stderr).toContain("answers the calls in test/calls/first.jsonl as recorded");
        const update = await cli(dir, ["simulate", "--replay", "test/calls/first.jsonl", "--url", served.url, "--update"]);
        expect(update.code, update.stdout + update.stderr).toBe(0);
        const green = run("npm", ["test", "--silent"], dir);
        expect(green.code, green.stdout + green.stderr).toBe(0);
      }
    } finally {
      await served.stop();
    }
  });
});

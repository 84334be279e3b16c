// verify against live endpoints over real HTTP: a generated project (passes) and the deliberately
// broken fixture server (each problem named by its check, exit 1).
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultParameters, ProjectSpecSchema } from "../../src/spec/spec.js";
import { brokenChain } from "../fixtures/broken-server.js";
import { commitNewProject } from "../../src/fs/changeset.js";
import { generateProject } from "../../src/generate/project.js";
import { sampleRuntimes } from "../helpers/deep.js";
import { RUNTIMES_UNDER_TEST, startGenerated, startProject } from "../helpers/live-project.js";
import { CLI, REPO, freePort, installProject, runCli, serve, tempDir, testEnv, type Served } from "../helpers/project.js";
import { slowQualified } from "../helpers/slow-link.js";

const TOKEN = "verify-e2e-secret";

interface JsonReport {
  ok: boolean;
  links: string[];
  checks: Array<{ check: string; severity: string; status: string; passed: number; failed: number; failures: Array<{ subject: string; message: string }> }>;
}


describe.each(sampleRuntimes(RUNTIMES_UNDER_TEST))("verify against a generated %s project", (runtime) => {
  let dir: string;
  let served: Served;

  beforeAll(async () => {
    const spec = ProjectSpecSchema.parse({
      packageName: `verify-${runtime}`,
      runtime,
      baseUrl: "https://hooks.example.com",
      trigger: "check my order",
      links: [
        {
          name: "pin_vetting",
          prompt: "Ask for the PIN.",
          parameters: { ...defaultParameters(), qualified: [{ name: "pin", type: "string" }, { name: "attempts", type: "integer", required: false }] },
        },
        { name: "plan", prompt: "Ask for the plan.", parameters: { ...defaultParameters(), qualified: [{ name: "plan", type: "enum", values: ["basic", "pro"] }] } },
      ],
    });
    ({ dir, served } = await startGenerated("verify-e2e-", spec, TOKEN));
  });

  afterAll(async () => {
    await served?.stop();
  });

  it("passes every check, the token one included, and exits 0", () => {
    const r = runCli(["verify", "--url", served.url, "--token", TOKEN], { cwd: dir });
    expect(r.stderr).toBe("");
    for (const check of ["health", "status-2xx", "response-shape", "required-in-properties", "key-stable", "key-new-caller", "call-ends", "withheld-caller", "params-only-initial", "loop", "malformed-no-5xx", "malformed-4xx", "auth-refused", "duplicate"]) {
      expect(r.stdout).toMatch(new RegExp(`^✓ ${check} `, "m"));
    }
    expect(r.stdout).toMatch(/^- switch-target-known .*\(not exercised\)$/m);
    expect(r.stdout.trimEnd()).toMatch(/PASS: 14\/15 checks passed; not exercised: switch-target-known$/);
    expect(r.code).toBe(0);
  });

  it("--json: a machine-readable report; the token comes from $TASKCHAIN_TOKEN too", () => {
    const r = runCli(["verify", "--url", served.url, "--json"], { cwd: dir, env: { TASKCHAIN_TOKEN: TOKEN } });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.ok).toBe(true);
    expect(report.links).toEqual(["pin_vetting", "plan"]);
    expect(report.checks.filter((c) => c.status !== "pass").map((c) => c.check)).toEqual(["switch-target-known"]);
    expect(report.checks.find((c) => c.check === "status-2xx")?.passed).toBeGreaterThan(10);
  });

  it("without the token every payload is refused: status-2xx fails, no other check passes, and the report says how to pass the token", () => {
    const r = runCli(["verify", "--url", served.url, "--json"], { cwd: dir, env: { TASKCHAIN_TOKEN: undefined } });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport & { hint?: string };
    expect(report.checks.find((c) => c.check === "status-2xx")?.failures[0]).toEqual({ subject: "pin_vetting initial", message: expect.stringMatching(/^HTTP 401: /) });
    expect(report.checks.filter((c) => c.passed > 0).map((c) => c.check)).toEqual(["health"]);
    expect(report.hint).toBe("every request got HTTP 401: the webhook wants its TASKCHAIN_TOKEN; pass it with --token <token> or the TASKCHAIN_TOKEN environment variable");
    const text = runCli(["verify", "--url", served.url], { cwd: dir, env: { TASKCHAIN_TOKEN: undefined } });
    expect(text.stdout.trimEnd().split("\n").slice(-2)).toEqual([report.hint, "FAIL: 1 check(s) failed: status-2xx"]);
  });
});

describe("verify --latency against a generated project with a slow link", () => {
  let dir: string;
  let served: Served;

  beforeAll(async () => {
    const spec = ProjectSpecSchema.parse({
      packageName: "verify-latency",
      runtime: "node",
      baseUrl: "https://hooks.example.com",
      trigger: "check my order",
      links: [
        { name: "pin_vetting", prompt: "Ask for the PIN.", parameters: { ...defaultParameters(), qualified: [{ name: "pin", type: "string" }] } },
        { name: "plan", prompt: "Ask for the plan.", parameters: { ...defaultParameters(), qualified: [{ name: "plan", type: "enum", values: ["basic", "pro"] }] } },
      ],
    });
    dir = path.join(tempDir("verify-latency-"), "node");
    await commitNewProject(generateProject(spec, dir));
    // plan's qualified handler sleeps 10 s: the runtime answers it at plan's 300 ms budget.
    slowQualified(dir, "plan", 300, "true");
    installProject(dir);
    served = await startProject("node", dir, TOKEN);
  });

  afterAll(async () => {
    await served?.stop();
  });

  it("prints p50/p95/p99 per link against the budget and fails for the link over it", () => {
    const r = runCli(["verify", "--url", served.url, "--token", TOKEN, "--latency", "--rounds", "3", "--budget", "200"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^latency per link \(3 rounds; budget 200 ms\)$/m);
    expect(r.stdout).toMatch(/^ {2}link +p50 +p95 +p99 +calls$/m);
    expect(r.stdout).toMatch(/^✓ pin_vetting +\d+ ms +\d+ ms +\d+ ms +18$/m);
    const plan = /^✗ plan +(\d+) ms +(\d+) ms +(\d+) ms +18 {2}✗ over budget: p99 (\d+) ms > 200 ms$/m.exec(r.stdout);
    expect(plan, r.stdout).not.toBeNull();
    // Three of plan's eighteen calls (its qualified ones) waited out its 300 ms budget; the rest did not.
    expect(Number(plan![1])).toBeLessThan(200);
    expect(Number(plan![3])).toBeGreaterThanOrEqual(295);
    expect(Number(plan![3])).toBeLessThan(300 + 250);
    expect(r.stdout.trimEnd()).toMatch(/LATENCY FAIL: 1 link\(s\) over budget: plan$/);
    expect(r.code).toBe(1);
  });

  it("passes when every link's p99 is within the budget; --json carries the figures", () => {
    const r = runCli(["verify", "--url", served.url, "--token", TOKEN, "--latency", "--rounds", "2", "--budget", "1000", "--json"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { ok: boolean; latency: { budgetMs: number; ok: boolean; links: Array<{ link: string; samples: number; p99: number; over: boolean }> } };
    expect(report.latency).toMatchObject({ budgetMs: 1000, ok: true });
    expect(report.latency.links.map((l) => [l.link, l.samples, l.over])).toEqual([
      ["pin_vetting", 12, false],
      ["plan", 12, false],
    ]);
    expect(report.latency.links[1]!.p99).toBeGreaterThanOrEqual(295);
  });

  it("a budget or rounds that is not a positive whole number is one line, before any request", () => {
    for (const args of [["--budget", "fast"], ["--rounds", "0"]]) {
      const r = runCli(["verify", "--url", served.url, "--token", TOKEN, "--latency", ...args], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(new RegExp(`${args[0]} must be a positive whole number`))]);
    }
    const without = runCli(["verify", "--url", served.url, "--rounds", "3"], { cwd: dir });
    expect(without.stderr.trim()).toMatch(/--rounds and --budget go with --latency$/);
    expect(without.code).toBe(1);
  });
});

describe("verify against the broken server", () => {
  let served: Served;
  let dir: string;

  beforeAll(async () => {
    dir = tempDir("verify-broken-");
    writeFileSync(path.join(dir, "chain.json"), JSON.stringify(brokenChain("https://prod.example.com"), null, 2));
    const port = await freePort();
    served = await serve(path.join(REPO, "node_modules/.bin/tsx"), [path.join(REPO, "test/fixtures/broken-server.ts")], dir, { PORT: String(port) }, `http://127.0.0.1:${port}`);
  });

  afterAll(async () => {
    await served?.stop();
  });

  it("names each problem by its check and exits 1", () => {
    const r = runCli(["verify", "--url", served.url], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^✗ key-stable .*\n {4}start qualified: key changed from [0-9a-f-]{36} to [0-9a-f-]{36} within one call$/m);
    expect(r.stdout).toMatch(/^✗ params-only-initial .*\n {4}middle qualified: qualified_parameters in the answer to qualified \(only valid on initial\)$/m);
    expect(r.stdout).toMatch(/^✗ switch-target-known .*\n {4}middle qualified: switch_task to "nowhere", which is not a link of the chain \(start, middle\)$/m);
    expect(r.stdout).toMatch(/^✗ malformed-no-5xx .*\n {4}start invalid JSON: HTTP 500 with a non-JSON body "Internal Server Error" \(a malformed payload must not crash the webhook\)$/m);
    expect(r.stdout).toContain("    start action that is not one of the four: HTTP 500");
    expect(r.stdout).toMatch(/^✗ response-shape .*\n {4}start disqualified: content: Invalid input: expected string, received number; actions: Invalid input: expected array, received string$/m);
    expect(r.stdout).toMatch(/^✗ required-in-properties .*\n {4}start initial: disqualified_parameters: required names "detail", which is not in properties$/m);
    expect(r.stdout).toMatch(/^✓ key-new-caller /m);
    expect(r.stdout).toMatch(/^✓ health /m);
    // It keeps a caller's key forever, so the same number's next call continues the last one.
    expect(r.stdout).toMatch(/^✗ call-ends .*\n {4}start interrupt, then a new call: after the call ended \(interrupt\), the same number's next call got its key [0-9a-f-]{36} again$/m);
    expect(r.stdout.trimEnd()).toMatch(/FAIL: 7 check\(s\) failed: response-shape, required-in-properties, key-stable, call-ends, params-only-initial, switch-target-known, malformed-no-5xx$/);
  });

  it("--json lists the failing checks", () => {
    const r = runCli(["verify", "--url", served.url, "--json"], { cwd: dir });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => c.failed > 0).map((c) => c.check)).toEqual(["response-shape", "required-in-properties", "key-stable", "call-ends", "params-only-initial", "switch-target-known", "malformed-no-5xx", "malformed-4xx", "duplicate"]);
  });

  it("simulate --script on it fails with the violations listed", () => {
    writeFileSync(path.join(dir, "s.json"), JSON.stringify({ otherwise: "qualified", expect: { links: ["start", "middle"] } }));
    const r = runCli(["simulate", "--url", served.url, "--script", "s.json"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("Protocol: 5 violation(s)");
    expect(r.stdout).toContain("  ✓ links: visited [start, middle]");
    expect(r.stdout).toContain("  ✗ no-violations: 5 protocol violation(s)");
  });

  it("a reader that leaves early (| true) gets no stack trace, and the exit code stays the verdict", () => {
    writeFileSync(path.join(dir, "pipe.json"), JSON.stringify({ otherwise: "qualified" }));
    // `true` exits at once, so every write of the CLI meets a closed pipe (EPIPE).
    const script = `"${process.execPath}" "${CLI}" simulate --url ${served.url} --script pipe.json 2>stderr.txt | true; echo "\${PIPESTATUS[0]}"`;
    const r = spawnSync("bash", ["-c", script], { cwd: dir, encoding: "utf8", env: testEnv() });
    expect(readFileSync(path.join(dir, "stderr.txt"), "utf8")).toBe("");
    expect(r.stdout.trim()).toBe("1");
  });
});

describe("verify usage errors", () => {
  it("one line when nothing answers, or when there is no chain.json", async () => {
    const dir = tempDir("verify-err-");
    let r = runCli(["verify", "--url", "http://127.0.0.1:9"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`create-taskchain: no chain.json here (${dir}); run inside a taskchain project or pass --chain <file>\n`);
    writeFileSync(path.join(dir, "chain.json"), JSON.stringify([{ name: "a", endpoint: "https://x.example.com/a" }]));
    const port = await freePort();
    r = runCli(["verify", "--url", `http://127.0.0.1:${port}`], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`create-taskchain: no webhook answers at http://127.0.0.1:${port}/ (ECONNREFUSED)\n`);
    writeFileSync(path.join(dir, "bad.json"), JSON.stringify([{ name: "a" }]));
    r = runCli(["verify", "--url", `http://127.0.0.1:${port}`, "--chain", "bad.json"], { cwd: dir });
    expect(r.stderr).toBe("create-taskchain: bad.json: [0].endpoint: Invalid input: expected string, received undefined\n");
    expect(r.code).toBe(1);
  });
});

// simulate against real generated projects: scripted calls (per runtime, real `npm start` server on
// 127.0.0.1) and the interactive mode through a pseudo-terminal.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProjectSpecSchema, type Runtime } from "../../src/spec/spec.js";
import { sampleRuntimes } from "../helpers/deep.js";
import { RUNTIMES_UNDER_TEST, startGenerated } from "../helpers/live-project.js";
import { freePort, run, runCli, tempDir, type Served } from "../helpers/project.js";

const TOKEN = "sim-e2e-secret";

function spec(runtime: Runtime) {
  return ProjectSpecSchema.parse({
    packageName: `sim-${runtime}`,
    runtime,
    baseUrl: "https://hooks.example.com",
    trigger: "check my order",
    links: [
      {
        name: "pin_vetting",
        prompt: "Ask the caller for their PIN.",
        parameters: {
          qualified: [{ name: "pin", type: "string", description: "The caller's PIN" }],
          disqualified: [{ name: "reason", type: "string", description: "Why not" }],
          interrupt: [{ name: "reason", type: "string", description: "Why the caller left" }],
        },
      },
      {
        name: "sms_vetting",
        prompt: "Ask whether we may text the caller.",
        parameters: {
          qualified: [
            { name: "consent", type: "enum", values: ["yes", "no"], description: "May we text?" },
            { name: "count", type: "integer", description: "How many texts", required: false },
          ],
          disqualified: [{ name: "reason", type: "string", description: "Why not" }],
          interrupt: [],
        },
      },
      { name: "data", prompt: "Collect the order number.", parameters: { qualified: [], disqualified: [{ name: "reason", type: "string" }], interrupt: [] } },
    ],
  });
}

// The CLI under test is the built bin → dist.

/** A scenario file in the project; returns its path. */
function scenario(dir: string, name: string, value: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

describe.each(sampleRuntimes(RUNTIMES_UNDER_TEST))("simulate --script against a generated %s project", (runtime) => {
  let dir: string;
  let served: Served;
  let simulate: (args: string[]) => ReturnType<typeof runCli>;

  beforeAll(async () => {
    ({ dir, served } = await startGenerated("sim-e2e-", spec(runtime), TOKEN));
    simulate = (args) => runCli(["simulate", "--url", served.url, "--token", TOKEN, ...args], { cwd: dir });
  });

  afterAll(async () => {
    await served?.stop();
  });

  it("`npm run simulate` runs the CLI against the dev server's address, with its token", () => {
    const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.simulate).toBe("create-taskchain simulate");
    // The project's own create-taskchain (its devDependency, this checkout here) runs. A node-based
    // dev server takes PORT, HOST and the token from .env, and simulate reads the same file.
    // wrangler dev listens on 8787 unless told otherwise, so the test's ephemeral port is passed on;
    // .dev.vars is left alone there (wrangler dev would reload on it), the token comes from the environment.
    const file = scenario(dir, "npm-run.json", { otherwise: "qualified", expect: { links: ["pin_vetting", "sms_vetting", "data"], ended: "chain_end" } });
    const port = new URL(served.url).port;
    const envFile = path.join(dir, ".env");
    if (runtime !== "cloudflare") writeFileSync(envFile, `PORT=${port}\nHOST=127.0.0.1\nTASKCHAIN_TOKEN=${TOKEN}\n`);
    try {
      const r = run("npm", ["run", "--silent", "simulate", "--", "--script", file, ...(runtime === "cloudflare" ? ["--url", served.url] : [])], dir, {
        TASKCHAIN_TOKEN: runtime === "cloudflare" ? TOKEN : undefined,
        TASKCHAIN_URL: undefined,
        PORT: undefined,
        HOST: undefined,
      });
      expect(r.stderr).toBe("");
      expect(r.stdout).toContain(`to http://127.0.0.1:${port}/`);
      expect(r.stdout.trimEnd().endsWith("PASS")).toBe(true);
      expect(r.code).toBe(0);
    } finally {
      rmSync(envFile, { force: true });
    }
  });

  it("runs the scenario the generated README shows, and it passes", () => {
    const readme = readFileSync(path.join(dir, "README.md"), "utf8");
    const example = /A scenario scripts one call[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const r = simulate(["--script", scenario(dir, "readme.json", { ...JSON.parse(example!), from: "+15125550009" })]);
    expect(r.stdout).toContain("Expectations: 4/4 passed");
    expect(r.code).toBe(0);
  });

  it("walks the whole chain when every link qualifies, and passes its expectations", () => {
    const file = scenario(dir, "happy.json", {
      from: "+15125550001",
      steps: { pin_vetting: { outcome: "qualified", context: { pin: "1234" } }, sms_vetting: { outcome: "qualified", context: { consent: "yes", count: 2 } } },
      otherwise: "qualified",
      expect: {
        links: ["pin_vetting", "sms_vetting", "data"],
        actions: ["next_task", "next_task", "next_task"],
        ended: "chain_end",
        state: { pin_vetting: { pin: "1234" }, sms_vetting: { consent: "yes", count: 2 } },
      },
    });
    const r = simulate(["--script", file]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain('prompt: "Ask the caller for their PIN."');
    expect(r.stdout).toContain("pin (string, required) – The caller's PIN");
    expect(r.stdout).toContain('consent (one of "yes" | "no", required) – May we text?');
    expect(r.stdout).toContain("count (integer, optional) – How many texts");
    expect(r.stdout).toContain('→ qualified {"pin":"1234"}');
    expect(r.stdout).toContain("Links: pin_vetting → sms_vetting → data");
    expect(r.stdout).toContain("Protocol: no violations");
    expect(r.stdout).toMatch(/Expectations: 6\/6 passed/);
    expect(r.stdout.trimEnd().endsWith("PASS")).toBe(true);
    expect(r.code).toBe(0);
  });

  it("follows a disqualification to end_call and checks what was said", () => {
    const file = scenario(dir, "disqualified.json", {
      from: "+15125550002",
      steps: { pin_vetting: "qualified", sms_vetting: { outcome: "disqualified", context: { reason: "no phone" } } },
      expect: { links: ["pin_vetting", "sms_vetting"], actions: ["next_task", "end_call"], said: ["I'm sorry"], ended: "end_call" },
    });
    const r = simulate(["--script", file]);
    expect(r.stdout).toContain('says: "I\'m sorry, I can\'t continue with this on the phone. Thank you for calling."');
    expect(r.stdout).toContain("Call ended (end_call at sms_vetting)");
    expect(r.code).toBe(0);
  });

  it("takes per-visit steps for a link the runtime asks again (context that does not parse)", () => {
    const file = scenario(dir, "retry.json", {
      from: "+15125550003",
      steps: {
        pin_vetting: "qualified",
        sms_vetting: [
          { outcome: "qualified", context: { consent: "maybe" } },
          { outcome: "qualified", context: { consent: "no" } },
        ],
        data: "interrupt",
      },
      expect: { links: ["pin_vetting", "sms_vetting", "sms_vetting", "data"], actions: ["next_task", "switch_task", "next_task"], said: ["Let's try that again"], ended: "interrupt" },
    });
    const r = simulate(["--script", file]);
    expect(r.stdout).toContain("── sms_vetting (visit 2) ──");
    expect(r.stdout).toContain("switch_task → sms_vetting");
    expect(r.code, r.stdout).toBe(0);
  });

  it("--graph draws the path over the code's graph and names the step the code does not show", () => {
    const file = scenario(dir, "retry-graph.json", {
      from: "+15125550013",
      steps: { pin_vetting: "qualified", sms_vetting: [{ outcome: "qualified", context: { consent: "maybe" } }, "qualified"], data: "interrupt" },
    });
    const r = simulate(["--script", file, "--graph"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const drawn = r.stdout.slice(r.stdout.indexOf("flowchart TD"));
    // Edges in order: the caller's, then pin_vetting's two, then sms_vetting's (qualified first).
    expect(drawn).toContain('  l_pin_vetting -->|"qualified"| l_sms_vetting\n  l_pin_vetting -->|"disqualified"| exit_end_call\n  l_sms_vetting -->|"qualified"| l_data\n');
    expect(drawn).toContain("  linkStyle 0,1,3 stroke:#d1242f,stroke-width:4px\n");
    // The runtime's retry of context that does not parse is no edge of the code.
    expect(r.stdout).toContain("not in the code's graph: sms_vetting qualified → switch_task sms_vetting");
    const json = JSON.parse(simulate(["--script", file, "--graph", "--json", "--from", "+15125550014"]).stdout) as { path: { mermaid: string; notInCode: unknown[] } };
    expect(json.path.mermaid).toBe(drawn.slice(0, drawn.indexOf("\nnot in the code")) + "\n");
    expect(json.path.notInCode).toEqual([{ from: "sms_vetting", handler: "qualified", action: "switch_task", target: "sms_vetting" }]);
  });

  it("exits 1 and names each unmet expectation", () => {
    const file = scenario(dir, "wrong.json", {
      from: "+15125550004",
      steps: { pin_vetting: { outcome: "disqualified", context: { reason: "forgot it" } } },
      expect: { links: ["pin_vetting", "sms_vetting"], said: ["Welcome back"], ended: "chain_end" },
    });
    const r = simulate(["--script", file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✗ links: expected links [pin_vetting, sms_vetting], visited [pin_vetting]");
    expect(r.stdout).toContain('✗ said: nothing said contains "Welcome back"');
    expect(r.stdout).toContain("✗ ended: expected the call to end by chain_end, it ended by end_call");
    expect(r.stdout).toContain("✓ no-violations");
    expect(r.stdout.trimEnd().endsWith("FAIL")).toBe(true);
  });

  it("fails a scenario that reaches a link it has no step for", () => {
    const file = scenario(dir, "short.json", { from: "+15125550005", steps: { pin_vetting: "qualified" } });
    const r = simulate(["--script", file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✗ script: the call reached sms_vetting, but the scenario has no steps.sms_vetting");
  });

  it("--json prints the transcript and the expectations as JSON", () => {
    const file = scenario(dir, "json.json", { from: "+15125550006", otherwise: "qualified", expect: { ended: "chain_end" } });
    const r = simulate(["--script", file, "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      transcript: { links: string[]; actions: string[]; key: string; violations: unknown[]; visits: Array<{ initial: { status: number } }> };
      expectations: Array<{ name: string; ok: boolean }>;
    };
    expect(out.ok).toBe(true);
    expect(out.transcript.links).toEqual(["pin_vetting", "sms_vetting", "data"]);
    expect(out.transcript.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.transcript.violations).toEqual([]);
    expect(out.transcript.visits.map((v) => v.initial.status)).toEqual([200, 200, 200]);
    expect(out.expectations.map((e) => e.name)).toEqual(["ended", "no-violations"]);
  });

  it("each run without --from is a new call: its own caller number, so its own key", () => {
    // The call ends by chain_end, which leaves the webhook's session open, as Agent4 would.
    const file = scenario(dir, "twice.json", { otherwise: "qualified", expect: { ended: "chain_end" } });
    const runs = [simulate(["--script", file, "--json"]), simulate(["--script", file, "--json"])].map((r) => {
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { transcript: { from: string; key: string } }).transcript;
    });
    expect(runs[0]!.from).toMatch(/^\+1[2-9][0-8]\d55501\d\d$/);
    expect(runs[1]!.from).not.toBe(runs[0]!.from);
    expect(runs[1]!.key).not.toBe(runs[0]!.key);
  });

  it("is refused (401 noted) without the token", () => {
    const file = scenario(dir, "notoken.json", { from: "+15125550007", otherwise: "qualified" });
    const r = runCli(["simulate", "--url", served.url, "--script", file], { cwd: dir, env: { TASKCHAIN_TOKEN: undefined } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✗ status-2xx (pin_vetting initial): HTTP 401");
  });
});

describe("simulate errors", () => {
  it("asks for --script when there is no terminal: one line, exit 1", () => {
    const dir = tempDir("sim-notty-");
    writeFileSync(path.join(dir, "chain.json"), JSON.stringify([{ name: "a", endpoint: "https://x.example.com/a" }]));
    const r = runCli(["simulate", "--url", "http://127.0.0.1:9"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("create-taskchain: simulate needs a terminal to ask how each link ends; without one pass --script scenario.json\n");
    expect(r.stdout).toBe("");
  });

  it("names the path of a bad scenario field", () => {
    const dir = tempDir("sim-badscript-");
    writeFileSync(path.join(dir, "chain.json"), JSON.stringify([{ name: "a", endpoint: "https://x.example.com/a" }]));
    writeFileSync(path.join(dir, "s.json"), JSON.stringify({ steps: { a: [{ outcome: "qualified" }, { outcome: "maybe" }] } }));
    const r = runCli(["simulate", "--url", "http://127.0.0.1:9", "--script", "s.json"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('create-taskchain: s.json: steps.a[1].outcome: Invalid option: expected one of "qualified"|"disqualified"|"interrupt"\n');
  });

  it("one line and exit 1 for a bad --url, a missing or broken scenario, a broken chain.json", () => {
    const dir = tempDir("sim-files-");
    writeFileSync(path.join(dir, "chain.json"), JSON.stringify([{ name: "a", endpoint: "https://x.example.com/a" }]));
    writeFileSync(path.join(dir, "broken.json"), '{"steps": ');
    writeFileSync(path.join(dir, "s.json"), JSON.stringify({ otherwise: "qualified" }));
    const cases: Array<[string[], string]> = [
      [["--url", "localhost:3000", "--script", "s.json"], 'create-taskchain: --url "localhost:3000" is not a URL (expected e.g. http://localhost:3000)\n'],
      [["--url", "http://127.0.0.1:9", "--script", "missing.json"], "create-taskchain: missing.json does not exist\n"],
      [["--url", "http://127.0.0.1:9", "--script", "broken.json"], "create-taskchain: broken.json is not valid JSON: Unexpected end of JSON input\n"],
      [["--url", "http://127.0.0.1:9", "--chain", "broken.json", "--script", "s.json"], "create-taskchain: broken.json is not valid JSON: Unexpected end of JSON input\n"],
      [["--url", "http://127.0.0.1:9", "--chain", "s.json", "--script", "s.json"], "create-taskchain: s.json: Invalid input: expected array, received object\n"],
    ];
    for (const [args, stderr] of cases) {
      const r = runCli(["simulate", ...args], { cwd: dir });
      expect(r.stderr, args.join(" ")).toBe(stderr);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
    }
  });

  it("says when nothing listens at --url", async () => {
    const dir = tempDir("sim-refused-");
    writeFileSync(path.join(dir, "chain.json"), JSON.stringify([{ name: "a", endpoint: "https://x.example.com/a" }]));
    writeFileSync(path.join(dir, "s.json"), JSON.stringify({ otherwise: "qualified" }));
    const port = await freePort();
    const r = runCli(["simulate", "--url", `http://127.0.0.1:${port}`, "--script", "s.json"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^create-taskchain: no webhook answers at http://127.0.0.1:${port}/ \\(ECONNREFUSED\\); start it \\(npm run dev\\) or pass --url\\n$`));
    // Without --url: where `npm run dev` listens, $PORT as the generated main.ts reads it.
    const byPort = runCli(["simulate", "--script", "s.json"], { cwd: dir, env: { PORT: String(port), TASKCHAIN_URL: undefined } });
    expect(byPort.stderr).toMatch(new RegExp(`^create-taskchain: no webhook answers at http://localhost:${port}/ \\(`));
  });
});

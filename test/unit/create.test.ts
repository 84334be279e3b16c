// `create` in-process: flags, files and validation → what lands on disk (or, on any error, nothing).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { repeatCommand, resolveCreate, run, type CreateDeps, type CreateOptions } from "../../src/commands/create.js";
import { UserError } from "../../src/errors.js";
import { DEFAULT_BASE_URL, DEFAULT_TRIGGER, defaultPrompt } from "../../src/spec/spec.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// Inside the repo, so generated code resolves zod from the repo's node_modules when imported below.
const SCRATCH = path.join(REPO, ".cache", "unit-create");
mkdirSync(SCRATCH, { recursive: true });
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(path.join(SCRATCH, "t-"));
  made.push(dir);
  return dir;
}

interface Result {
  code?: number;
  error?: Error;
  out: string;
}

async function create(options: CreateOptions, deps: CreateDeps & { cwd: string }): Promise<Result> {
  let out = "";
  try {
    const code = await run({ git: false, install: false, ...options }, { interactive: false, out: (t) => (out += t), ...deps });
    return { code, out };
  } catch (error) {
    return { error: error as Error, out };
  }
}

/** Runs create and expects a one-line UserError with nothing written to cwd. */
async function rejects(options: CreateOptions, cwd = scratch()): Promise<string> {
  const before = readdirSync(cwd);
  const r = await create(options, { cwd });
  expect(r.error, `expected an error, got exit ${r.code}`).toBeInstanceOf(UserError);
  expect(r.error!.message).not.toContain("\n");
  expect(readdirSync(cwd)).toEqual(before);
  return r.error!.message;
}

function json(file: string): unknown {
  return JSON.parse(readFileSync(file, "utf8"));
}

interface InitialBody {
  content: string;
  qualified_parameters: unknown;
  disqualified_parameters: unknown;
  interrupt_parameters: unknown;
}

/** The answer each link of a generated project gives to `initial`, through its own runtime. */
async function initialAnswers(root: string, names: string[]): Promise<Record<string, InitialBody>> {
  const { createApp } = (await import(path.join(root, "src/app.ts"))) as {
    createApp(env: Record<string, string>): { handle(r: unknown): Promise<{ status: number; body: string }> };
  };
  const app = createApp({});
  const out: Record<string, InitialBody> = {};
  for (const name of names) {
    const answer = await app.handle({ method: "POST", url: `/${name}`, body: { json: { name, action: "initial", call_from: "+15125550100", call_forwarded_by: "+15125550199" } } });
    expect(answer.status).toBe(200);
    out[name] = JSON.parse(answer.body) as InitialBody;
  }
  return out;
}

describe("create without a terminal", () => {
  it("names the flags to pass when the directory or links are missing", async () => {
    expect(await rejects({})).toBe(
      "missing the project directory and the links: pass <dir> and --link <names> (or --spec <file>, --from-chain <file>), or run in a terminal to be asked",
    );
    expect(await rejects({ link: ["a"] })).toBe("missing the project directory: pass <dir>, or run in a terminal to be asked");
    expect(await rejects({ dir: "x", yes: true })).toBe("missing the links: pass --link <names> (or --spec <file>, --from-chain <file>)");
  });

  it("writes a project from --link with every default", async () => {
    const cwd = scratch();
    const r = await create({ dir: "My Chain", link: ["pin_vetting,sms_vetting", "data"], yes: true }, { cwd });
    expect(r.error).toBeUndefined();
    expect(r.code).toBe(0);
    const root = path.join(cwd, "My Chain");
    expect(json(path.join(root, "chain.json"))).toEqual(["pin_vetting", "sms_vetting", "data"].map((name) => ({ name, endpoint: `${DEFAULT_BASE_URL}/${name}` })));
    const pkg = json(path.join(root, "package.json")) as { name: string; taskchain: Record<string, string> };
    expect(pkg.name).toBe("my-chain");
    expect(pkg.taskchain).toMatchObject({ runtime: "node", baseUrl: DEFAULT_BASE_URL, trigger: DEFAULT_TRIGGER });
    const registry = readFileSync(path.join(root, "src/links/index.ts"), "utf8");
    expect([...registry.matchAll(/^import \{ (\w+) \} from "\.\/(\w+)\.ts";$/gm)].map((m) => [m[1], m[2]])).toEqual([
      ["pinVettingLink", "pin_vetting"],
      ["smsVettingLink", "sms_vetting"],
      ["dataLink", "data"],
    ]);
    expect(r.out).toContain("cd 'My Chain'");
    expect(r.out).toContain("npm install");
    expect(readdirSync(cwd)).toEqual(["My Chain"]); // no staging folder left next to it
    const answers = await initialAnswers(root, ["pin_vetting"]);
    expect(answers.pin_vetting!.content).toBe(defaultPrompt("pin_vetting"));
    expect(answers.pin_vetting!.qualified_parameters).toEqual({ properties: {}, required: [] });
    expect(answers.pin_vetting!.disqualified_parameters).toEqual({ properties: { reason: { type: "string", description: "Reason for disqualification." } }, required: ["reason"] });
  });

  it("writes a block with no parameters on one line, as a person would", async () => {
    const cwd = scratch();
    expect((await create({ dir: "app", link: ["pin_vetting"], yes: true }, { cwd })).code).toBe(0);
    const source = readFileSync(path.join(cwd, "app/src/links/pin_vetting.ts"), "utf8");
    expect(source).toContain("    qualified: z.object({}),\n    disqualified: z.object({\n      reason: z.string()");
    expect(source).not.toMatch(/\(\{\s*\n\s*\}\)/);
  });

  it("--dry-run lists every path and writes nothing", async () => {
    const cwd = scratch();
    const r = await create({ dir: "p", link: ["a", "b"], dryRun: true }, { cwd });
    expect(r.code).toBe(0);
    const lines = r.out.trim().split("\n");
    for (const file of ["chain.json", "package.json", "src/links/a.ts", "src/links/b.ts", "src/links/index.ts", "test/a.test.ts", "test/b.test.ts", "tsconfig.json", ".gitignore"]) {
      expect(lines).toContain(`create  ${file}`);
    }
    expect(lines.at(-1)).toMatch(/^dry run: \d+ files for .*; nothing was written$/);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe("examples and the repeat command", () => {
  it("an example alone is a whole chain; a link may not take an example link's name", async () => {
    const cwd = scratch();
    const r = await create({ dir: "orders", example: "shipstation", yes: true }, { cwd });
    expect(r.error).toBeUndefined();
    const names = (json(path.join(cwd, "orders/chain.json")) as Array<{ name: string }>).map((l) => l.name);
    expect(names.length).toBeGreaterThan(0);
    expect(r.out).toContain("with the shipstation example");
    const clash = `link "${names[0]}" is a link of the shipstation example (${names.join(", ")}); pick another name`;
    expect(await rejects({ dir: "p", link: [names[0]!], example: "shipstation" })).toBe(clash);
    writeFileSync(path.join(cwd, "spec.json"), JSON.stringify({ example: "shipstation", links: ["a", names[0]] }));
    expect(await rejects({ dir: "p", spec: "spec.json" }, cwd)).toBe(clash);
    writeFileSync(path.join(cwd, "empty.json"), JSON.stringify({ links: [] }));
    expect(await rejects({ dir: "p", spec: "empty.json" }, cwd)).toBe("empty.json: links is empty: list the chain's links in order (or pass --example)");
    expect((await create({ dir: "ex", spec: "empty.json", example: "shipstation" }, { cwd })).error).toBeUndefined();
  });

  it("the one-shot command repeats a run made of flags", async () => {
    const cwd = scratch();
    const options: CreateOptions = { dir: "my chain", link: ["a", "b"], baseUrl: "https://x.test", trigger: "it's me", pm: "pnpm", install: false, git: true };
    const resolved = await resolveCreate(options, { cwd, interactive: false });
    expect(repeatCommand(resolved, options)).toEqual({
      command: "npx create-taskchain 'my chain' --link a,b --runtime node --example none --base-url https://x.test --trigger 'it'\\''s me' --pm pnpm --no-install --git --yes",
    });
  });
});

describe("spec and chain files", () => {
  const tricky = 'Say "hi", `${name}` */ \\ and\nnew line: ünï ✓ \u2028 </script>';

  it("a spec file gives the links, prompts, parameter blocks and chain.json it describes", async () => {
    const cwd = scratch();
    const qualified = {
      properties: {
        pin: { type: "string", description: `The PIN ${tricky}` },
        attempts: { type: "integer", description: "Attempts." },
        amount: { type: "number" },
        verified: { type: "boolean", description: "ok?" },
        channel: { type: "string", enum: ["sms", tricky, "${x}"], description: "Channel." },
        "odd-key": { type: "string" },
      },
      required: ["pin", "channel"],
    };
    const spec = {
      runtime: "node",
      baseUrl: "https://hooks.example.test/agent4/",
      trigger: `Trigger ${tricky}`,
      links: [
        {
          name: "pin_vetting",
          prompt: tricky,
          qualified_parameters: qualified,
          disqualified_parameters: { properties: { why: { type: "string", description: "Why." } }, required: [] },
        },
        "data",
      ],
    };
    writeFileSync(path.join(cwd, "spec.json"), JSON.stringify(spec, null, 2));
    const r = await create({ dir: "proj", spec: "spec.json", yes: true }, { cwd });
    expect(r.error).toBeUndefined();
    const root = path.join(cwd, "proj");
    expect(json(path.join(root, "chain.json"))).toEqual([
      { name: "pin_vetting", endpoint: "https://hooks.example.test/agent4/pin_vetting" },
      { name: "data", endpoint: "https://hooks.example.test/agent4/data" },
    ]);
    expect((json(path.join(root, "package.json")) as { taskchain: { trigger: string } }).taskchain.trigger).toBe(spec.trigger);
    const answers = await initialAnswers(root, ["pin_vetting", "data"]);
    const pin = answers.pin_vetting!;
    expect(pin.content).toBe(tricky);
    expect(pin.qualified_parameters).toEqual(qualified);
    expect(pin.disqualified_parameters).toEqual({ properties: { why: { type: "string", description: "Why." } }, required: [] });
    expect(pin.interrupt_parameters).toEqual({ properties: { reason: { type: "string", description: "Reason for interruption." } }, required: ["reason"] });
    expect(answers.data!.content).toBe(defaultPrompt("data"));
  });

  it("a pasted block's other JSON-schema keywords reach Agent4 unchanged; bounds are checked on context", async () => {
    const cwd = scratch();
    const qualified = {
      properties: {
        timeslot: { type: "string", description: "The timeslot.", format: "date-time" },
        party: { type: "integer", minimum: 1, maximum: 12, default: 2 },
        price: { type: "number", exclusiveMinimum: 0, examples: [9.99], title: "Price" },
        notes: { type: "string", minLength: 10, maxLength: 20, pattern: "^[a-z ]*$" },
        channel: { type: "string", enum: ["sms", "call"], default: "sms", "x-ui": { __proto__: 1, "*/": [null, true, "${x}"] } },
      },
      required: ["timeslot", "party"],
    };
    // JSON.parse, so "__proto__" is an own key as it is in a spec file.
    const spec = JSON.parse(JSON.stringify({ links: [{ name: "booking", qualified_parameters: qualified }] }).replace('"x-ui":{', '"x-ui":{"__proto__":1,'));
    writeFileSync(path.join(cwd, "spec.json"), JSON.stringify(spec));
    const r = await create({ dir: "p", spec: "spec.json" }, { cwd });
    expect(r.error).toBeUndefined();
    const root = path.join(cwd, "p");
    const answers = await initialAnswers(root, ["booking"]);
    expect(answers.booking!.qualified_parameters).toEqual(spec.links[0].qualified_parameters);

    const { createApp } = (await import(path.join(root, "src/app.ts"))) as {
      createApp(env: Record<string, string>): { handle(r: unknown): Promise<{ status: number; body: string }> };
    };
    const app = createApp({});
    const qualify = async (context: Record<string, unknown>) => {
      const caller = { call_from: `+1512555${Math.floor(Math.random() * 1e4)}`, call_forwarded_by: "+15125550199" };
      await app.handle({ method: "POST", url: "/booking", body: { json: { name: "booking", action: "initial", ...caller } } });
      const answer = await app.handle({ method: "POST", url: "/booking", body: { json: { name: "booking", action: "qualified", ...caller, context } } });
      return (JSON.parse(answer.body) as { actions?: Array<{ name: string }> }).actions?.map((a) => a.name);
    };
    expect(await qualify({ timeslot: "tomorrow", party: 2 })).toEqual(["next_task"]);
    expect(await qualify({ timeslot: "tomorrow", party: 13 })).toEqual(["switch_task"]); // asked again
    expect(await qualify({ timeslot: "tomorrow", party: 2, price: 0 })).toEqual(["switch_task"]);
    expect(await qualify({ timeslot: "tomorrow", party: 2, notes: "short" })).toEqual(["switch_task"]);
    expect(await qualify({ timeslot: "tomorrow", party: 2, notes: "NOT CHECKED: pattern" })).toEqual(["next_task"]);

    // The contract test's samples keep to the bounds.
    const test = readFileSync(path.join(root, "test/booking.test.ts"), "utf8");
    expect(test).toContain("party: 1,");
    expect(test).toContain('notes: "examplexxx",');
  });

  it("the README shows the trigger as typed, on one line, whatever backticks and line breaks it holds", async () => {
    const cwd = scratch();
    const r = await create({ dir: "p", link: ["a"], trigger: "Say `hi`, ``twice``\n\nthen <b>stop</b>`" }, { cwd });
    expect(r.error).toBeUndefined();
    const readme = readFileSync(path.join(cwd, "p/README.md"), "utf8");
    const line = readme.split("\n").find((l) => l.includes("create a TaskChain task. Trigger:"))!;
    expect(line).toContain("Trigger: ``` Say `hi`, ``twice`` then <b>stop</b>` ```. Chain:");
    expect((json(path.join(cwd, "p/package.json")) as { taskchain: { trigger: string } }).taskchain.trigger).toBe("Say `hi`, ``twice``\n\nthen <b>stop</b>`");
  });

  it("the base URL is written as an HTTP client sends it", async () => {
    const cwd = scratch();
    const r = await create({ dir: "p", link: ["a"], baseUrl: ' HTTPS://Hooks.EXAMPLE.test/my hooks/"v1"// ' }, { cwd });
    expect(r.error).toBeUndefined();
    expect(json(path.join(cwd, "p/chain.json"))).toEqual([{ name: "a", endpoint: "https://hooks.example.test/my%20hooks/%22v1%22/a" }]);
    expect((json(path.join(cwd, "p/package.json")) as { taskchain: { baseUrl: string } }).taskchain.baseUrl).toBe("https://hooks.example.test/my%20hooks/%22v1%22");
    const idn = await resolveCreate({ dir: "q", link: ["a"], baseUrl: "https://bücher.example/" }, { cwd, interactive: false });
    expect(idn.spec.baseUrl).toBe("https://xn--bcher-kva.example");
  });

  it("flags override the spec file", async () => {
    const cwd = scratch();
    writeFileSync(path.join(cwd, "spec.json"), JSON.stringify({ baseUrl: "https://a.test", trigger: "from file", links: ["a"] }));
    const r = await create({ dir: "p", spec: "spec.json", baseUrl: "https://b.test/x", trigger: "from flag" }, { cwd });
    expect(r.error).toBeUndefined();
    expect(json(path.join(cwd, "p/chain.json"))).toEqual([{ name: "a", endpoint: "https://b.test/x/a" }]);
    expect((json(path.join(cwd, "p/package.json")) as { taskchain: { trigger: string } }).taskchain.trigger).toBe("from flag");
  });

  it("a chain file gives one link per entry and the base URL its endpoints share", async () => {
    const cwd = scratch();
    const chain = [
      { name: "pin_vetting", endpoint: "https://live.example.test/hooks/pin_vetting?token=secret" },
      { name: "sms_vetting", endpoint: "https://live.example.test/hooks/sms_vetting?token=secret" },
      { name: "data", endpoint: "https://live.example.test/hooks/data?token=secret" },
    ];
    writeFileSync(path.join(cwd, "chain.json"), JSON.stringify(chain));
    const r = await create({ dir: "p", fromChain: "chain.json" }, { cwd });
    expect(r.error).toBeUndefined();
    const written = json(path.join(cwd, "p/chain.json"));
    expect(written).toEqual(chain.map((c) => ({ name: c.name, endpoint: c.endpoint.replace("?token=secret", "") })));
    expect(readFileSync(path.join(cwd, "p/chain.json"), "utf8")).not.toContain("secret");
    const registry = readFileSync(path.join(cwd, "p/src/links/index.ts"), "utf8");
    const chainArray = /export const chain = \[([^\]]*)\]/.exec(registry)![1]!;
    expect(chainArray.split(",").map((x) => x.trim()).filter(Boolean)).toEqual(["pinVettingLink", "smsVettingLink", "dataLink"]);
  });

  it("a chain file whose endpoints share no base URL says so, unless --base-url settles it", async () => {
    const cwd = scratch();
    const chain = [
      { name: "a", endpoint: "https://one.example.test/a" },
      { name: "b", endpoint: "https://two.example.test/hooks/b?token=secret" },
    ];
    writeFileSync(path.join(cwd, "chain.json"), JSON.stringify(chain));
    const r = await resolveCreate({ dir: "p", fromChain: "chain.json" }, { cwd, interactive: false });
    expect(r.spec.baseUrl).toBe(DEFAULT_BASE_URL);
    expect(r.notes).toEqual([
      `chain.json: its endpoints (https://one.example.test/a, https://two.example.test/hooks/b) share no base URL, and one server serves every link at <base>/<link>: chain.json uses ${DEFAULT_BASE_URL} until you pass --base-url`,
    ]);
    const given = await resolveCreate({ dir: "p", fromChain: "chain.json", baseUrl: "https://hooks.example.test" }, { cwd, interactive: false });
    expect(given.notes).toEqual([]);
  });
});

describe("validation: one line, nothing written", () => {
  it("link names", async () => {
    expect(await rejects({ dir: "p", link: ["Pin"] })).toBe('link name "Pin" must start with a lowercase letter and use only lowercase letters, digits and underscores (like pin_vetting)');
    expect(await rejects({ dir: "p", link: ["a,a"] })).toBe('link "a" is listed twice');
    expect(await rejects({ dir: "p", link: ["a_b,a__b"] })).toBe('links "a_b" and "a__b" both become the identifier aBLink; rename one');
    expect(await rejects({ dir: "p", link: ["index"] })).toBe('link name "index" is reserved; pick another');
    expect(await rejects({ dir: "p", link: ["x".repeat(65)] })).toBe('link name "xxxxxxxxxxxxxxxxxxxx"… is longer than 64 characters');
    expect(await rejects({ dir: "p", link: [" , "] })).toBe("--link needs at least one name, like --link pin_vetting,sms_vetting");
  });

  it("flag values and combinations", async () => {
    expect(await rejects({ dir: "p", link: ["a"], runtime: "deno" })).toBe('--runtime "deno" is not one of node, express, fastify, hono, cloudflare, lambda');
    expect(await rejects({ dir: "p", link: ["a"], example: "stripe" })).toBe('--example "stripe" is not one of shipstation, none');
    expect(await rejects({ dir: "p", link: ["a"], pm: "cargo" })).toBe('--pm "cargo" is not one of npm, pnpm, yarn, bun');
    expect(await rejects({ dir: "p", link: ["a"], baseUrl: "example.com" })).toBe('--base-url is not a URL: "example.com" (like https://your-webhook.example.com)');
    expect(await rejects({ dir: "p", link: ["a"], baseUrl: "https://x.test/?token=abc" })).toMatch(/^--base-url must not carry a query/);
    expect(await rejects({ dir: "p", link: ["a"], trigger: "  " })).toBe("--trigger must not be empty");
    expect(await rejects({ dir: "p", spec: "s.json", fromChain: "c.json" })).toBe("pass --spec or --from-chain, not both");
    expect(await rejects({ dir: "p", link: ["a"], spec: "s.json" })).toBe("--link cannot be combined with --spec: the file already names the links");
    expect(await rejects({ dir: "p", link: ["a"], fromChain: "c.json" })).toBe("--link cannot be combined with --from-chain: the file already names the links");
    expect(await rejects({ dir: "p", link: ["a"], baseUrl: "ftp://x.test" })).toBe('--base-url must start with http:// or https:// (got "ftp://x.test")');
    expect(await rejects({ dir: "p", link: ["a"], baseUrl: "https://me:pw@x.test" })).toBe("--base-url must not carry a user name or password");
    expect(await rejects({ dir: "p", link: ["a"], baseUrl: "https://x.test/#top" })).toMatch(/^--base-url must not carry a query or #fragment/);
    expect(await rejects({ dir: "p", link: ["a"], trigger: "t".repeat(501) })).toBe("--trigger is longer than 500 characters");
  });

  it("--force over a folder where the project needs a file", async () => {
    const cwd = scratch();
    mkdirSync(path.join(cwd, "full/chain.json"), { recursive: true });
    expect(await rejects({ dir: "full", link: ["a"], force: true }, cwd)).toBe("chain.json exists in the target and is not a file; move it away first");
    expect(readdirSync(path.join(cwd, "full"))).toEqual(["chain.json"]);
  });

  it("a package manager that is not installed, when it would install", async () => {
    const PATH = process.env.PATH;
    process.env.PATH = scratch(); // an empty folder: no package manager at all
    try {
      const why = "pnpm is not installed, so it cannot install the dependencies: install it, pick another with --pm, or pass --no-install";
      expect(await rejects({ dir: "p", link: ["a"], pm: "pnpm", install: true })).toBe(why);
      expect(await rejects({ dir: "p", link: ["a"], pm: "pnpm", install: undefined })).toBe(why); // installing is the default without a terminal
      const cwd = scratch();
      expect((await create({ dir: "p", link: ["a"], pm: "pnpm", install: false }, { cwd })).error).toBeUndefined();
      expect((await create({ dir: "q", link: ["a"], pm: "pnpm", install: true, dryRun: true }, { cwd })).error).toBeUndefined();
    } finally {
      process.env.PATH = PATH;
    }
  });

  it("spec and chain files", async () => {
    const cwd = scratch();
    writeFileSync(path.join(cwd, "bad.json"), '{\n  "links": ["a",]\n}\n');
    writeFileSync(path.join(cwd, "shape.json"), JSON.stringify({ links: ["a", { name: "b", qualified_parameters: { properties: { pin: { type: "object" } } } }] }));
    writeFileSync(path.join(cwd, "chain.json"), JSON.stringify([{ name: "ok" }, { name: "Not OK", endpoint: "https://x.test" }]));
    expect(await rejects({ dir: "p", spec: "missing.json" }, cwd)).toBe("spec file missing.json does not exist");
    expect(await rejects({ dir: "p", spec: "bad.json" }, cwd)).toBe("bad.json:2:17: invalid JSON (Unexpected token ']')");
    expect(await rejects({ dir: "p", spec: "shape.json" }, cwd)).toBe(
      'shape.json: links[1].qualified_parameters.properties.pin.type is "object": supported types are string, number, integer, boolean, or "string" with an enum',
    );
    expect(await rejects({ dir: "p", fromChain: "chain.json" }, cwd)).toMatch(/^chain\.json: \[1\]\.name is invalid: link name "Not OK"/);
    expect(await rejects({ dir: "p", fromChain: "." }, cwd)).toBe("chain file . is a directory, not a JSON file");
  });

  it("the target directory", async () => {
    const cwd = scratch();
    mkdirSync(path.join(cwd, "full"));
    writeFileSync(path.join(cwd, "full/notes.txt"), "mine");
    writeFileSync(path.join(cwd, "afile"), "");
    expect(await rejects({ dir: "full", link: ["a"] }, cwd)).toBe("full is not empty: pick a new directory, or pass --force to write into it");
    expect(await rejects({ dir: "../elsewhere", link: ["a"] }, cwd)).toBe("../elsewhere is outside the current directory: cd to where the project should go, or pass an absolute path");
    expect(await rejects({ dir: "afile", link: ["a"] }, cwd)).toBe("afile exists and is a file, not a directory");
    expect(readFileSync(path.join(cwd, "full/notes.txt"), "utf8")).toBe("mine");
  });
});

describe("atomic writes", () => {
  it("writes into an existing empty folder in place (a shell inside it keeps seeing it)", async () => {
    const cwd = scratch();
    const inode = statSync(cwd).ino;
    const r = await create({ dir: ".", link: ["a"] }, { cwd });
    expect(r.error).toBeUndefined();
    expect(statSync(cwd).ino).toBe(inode);
    expect(existsSync(path.join(cwd, "src/links/a.ts"))).toBe(true);
    expect(existsSync(path.join(cwd, ".taskchain-txn"))).toBe(false);
    expect(r.out).not.toContain("cd ");
  });

  it("finishes or discards a create a kill interrupted in the folder before judging it", async () => {
    // Killed before the commit point: a journal without its manifest, nothing applied. The folder
    // is empty for create, not "not empty".
    const cwd = scratch();
    mkdirSync(path.join(cwd, ".taskchain-txn/staged"), { recursive: true });
    writeFileSync(path.join(cwd, ".taskchain-txn/staged/0"), "half");
    const again = await create({ dir: ".", link: ["a"] }, { cwd });
    expect(again.error).toBeUndefined();
    expect(existsSync(path.join(cwd, "src/links/a.ts"))).toBe(true);
    expect(existsSync(path.join(cwd, ".taskchain-txn"))).toBe(false);

    // Killed while its finished journal was being deleted: the leftover is not the user's either.
    const retired = scratch();
    mkdirSync(path.join(retired, ".taskchain-txn.done/staged"), { recursive: true });
    expect((await create({ dir: ".", link: ["a"] }, { cwd: retired })).error).toBeUndefined();
    expect(readdirSync(retired)).not.toContain(".taskchain-txn.done");

    // Killed after it: the manifest says chain.json is created, and it is not there yet. --force
    // judges the folder once that is finished, so the half-made chain.json is not taken for the user's.
    const full = scratch();
    writeFileSync(path.join(full, "notes.txt"), "mine");
    mkdirSync(path.join(full, ".taskchain-txn/staged"), { recursive: true });
    writeFileSync(path.join(full, ".taskchain-txn/staged/0"), "[]");
    writeFileSync(path.join(full, ".taskchain-txn/manifest.json"), JSON.stringify({ changes: [{ kind: "create", path: "chain.json", staged: "staged/0" }] }));
    const forced = await create({ dir: ".", link: ["a"], force: true }, { cwd: full });
    expect(forced.error).toBeUndefined();
    expect(json(path.join(full, "chain.json"))).toEqual([{ name: "a", endpoint: `${DEFAULT_BASE_URL}/a` }]);
    expect(readFileSync(path.join(full, "notes.txt"), "utf8")).toBe("mine");
    expect(existsSync(path.join(full, ".taskchain-txn"))).toBe(false);
  });

  it("a failure writing into an empty folder leaves it empty", async () => {
    const cwd = scratch();
    mkdirSync(path.join(cwd, "empty"));
    const r = await create({ dir: "empty", link: ["a"] }, { cwd, hooks: { afterApplyStep: (n) => void (n === 15 && (() => { throw new Error("boom"); })()) } });
    expect(r.error?.message).toBe("boom");
    expect(readdirSync(path.join(cwd, "empty"))).toEqual([]);
  });

  it("a failure mid-write leaves no project and no staging folder", async () => {
    const cwd = scratch();
    const r = await create(
      { dir: "p", link: ["a", "b"] },
      {
        cwd,
        hooks: {
          beforeApply() {
            // Staging is complete at this point: prove it existed, then fail.
            expect(readdirSync(cwd).some((n) => n.startsWith(".p.taskchain-"))).toBe(true);
            throw new Error("disk full");
          },
        },
      },
    );
    expect(r.error?.message).toBe("disk full");
    expect(readdirSync(cwd)).toEqual([]);

    const deep = await create({ dir: "new/parents/p", link: ["a"] }, { cwd, hooks: { beforeApply: () => Promise.reject(new Error("disk full")) } });
    expect(deep.error?.message).toBe("disk full");
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("a file-system refusal while writing is one line that names the target, and leaves nothing", async () => {
    const cwd = scratch();
    const full = Object.assign(new Error(`ENOSPC: no space left on device, write '${cwd}/.p.taskchain-0badf00d/src/a.ts'`), { code: "ENOSPC" });
    const r = await create({ dir: "p", link: ["a"] }, { cwd, hooks: { beforeApply: () => Promise.reject(full) } });
    expect(r.error).toBeInstanceOf(UserError);
    expect(r.error!.message).toBe("cannot write p: no space left on device (ENOSPC); nothing was written");
    expect(readdirSync(cwd)).toEqual([]);

    mkdirSync(path.join(cwd, "full"));
    writeFileSync(path.join(cwd, "full/x"), "");
    const denied = Object.assign(new Error("EACCES: permission denied, rename 'a' -> 'b'"), { code: "EACCES" });
    const forced = await create({ dir: "full", link: ["a"], force: true }, { cwd, hooks: { afterApplyStep: () => Promise.reject(denied) } });
    expect(forced.error!.message).toBe("cannot write full: permission denied (EACCES); nothing was written");
    expect(readdirSync(path.join(cwd, "full"))).toEqual(["x"]);
  });

  it("--force keeps the user's package.json fields and .gitignore lines, adding the project's", async () => {
    const cwd = scratch();
    const dir = path.join(cwd, "repo");
    mkdirSync(dir);
    const theirs = {
      name: "mine",
      version: "9.9.9",
      description: "kept",
      type: "commonjs",
      scripts: { deploy: "./deploy.sh", test: "jest" },
      dependencies: { "left-pad": "1.0.0", vitest: "^1.0.0" },
      devDependencies: { jest: "^29.0.0" },
    };
    writeFileSync(path.join(dir, "package.json"), JSON.stringify(theirs));
    writeFileSync(path.join(dir, ".gitignore"), "secrets.json\n!.env.example\n.env");
    const r = await create({ dir: "repo", link: ["a"], force: true }, { cwd });
    expect(r.error).toBeUndefined();
    const pkg = json(path.join(dir, "package.json")) as Record<string, Record<string, string>>;
    expect(pkg).toMatchObject({ name: "mine", version: "9.9.9", description: "kept", type: "module", taskchain: { runtime: "node" } });
    expect(pkg.scripts).toMatchObject({ deploy: "./deploy.sh", test: "vitest run", dev: "node --watch src/main.ts" });
    expect(pkg.dependencies!["left-pad"]).toBe("1.0.0");
    expect(pkg.dependencies!.zod).toBeDefined();
    expect(pkg.dependencies!.vitest).toBeUndefined(); // the project's devDependency now
    expect(pkg.devDependencies).toMatchObject({ jest: "^29.0.0", vitest: expect.stringMatching(/^\^4/) });
    const ignore = readFileSync(path.join(dir, ".gitignore"), "utf8").split("\n");
    expect(ignore.slice(0, 3)).toEqual(["secrets.json", "!.env.example", ".env"]);
    expect(ignore).toContain("node_modules/");
    expect(ignore.lastIndexOf("!.env.example")).toBeGreaterThan(ignore.indexOf(".env.*")); // still excepted
    expect(ignore.filter((l) => l === ".env")).toHaveLength(1);

    // Not JSON: replaced, as the dry run says.
    const other = path.join(cwd, "other");
    mkdirSync(other);
    writeFileSync(path.join(other, "package.json"), "{ oops");
    expect((await create({ dir: "other", link: ["a"], force: true }, { cwd })).error).toBeUndefined();
    expect((json(path.join(other, "package.json")) as { name: string }).name).toBe("other");
  });

  it("--force writes into a full directory, keeps unrelated files, and rolls back on failure", async () => {
    const cwd = scratch();
    const dir = path.join(cwd, "full");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "notes.txt"), "mine");
    writeFileSync(path.join(dir, "chain.json"), "old chain");

    const failed = await create(
      { dir: "full", link: ["a"], force: true },
      {
        cwd,
        hooks: {
          afterApplyStep(n) {
            if (n === 12) throw new Error("power cut"); // past the first files in src/
          },
        },
      },
    );
    expect(failed.error?.message).toBe("power cut");
    expect(readdirSync(dir).sort()).toEqual(["chain.json", "notes.txt"]);
    expect(readFileSync(path.join(dir, "chain.json"), "utf8")).toBe("old chain");

    const dry = await create({ dir: "full", link: ["a"], force: true, dryRun: true }, { cwd });
    expect(dry.out).toContain("update  chain.json");
    expect(dry.out).toContain("create  src/links/a.ts");

    const ok = await create({ dir: "full", link: ["a"], force: true }, { cwd });
    expect(ok.error).toBeUndefined();
    expect(readFileSync(path.join(dir, "notes.txt"), "utf8")).toBe("mine");
    expect(json(path.join(dir, "chain.json"))).toEqual([{ name: "a", endpoint: `${DEFAULT_BASE_URL}/a` }]);
    expect(existsSync(path.join(dir, "src/links/a.ts"))).toBe(true);
    expect(existsSync(path.join(dir, ".taskchain-txn"))).toBe(false);
  });
});

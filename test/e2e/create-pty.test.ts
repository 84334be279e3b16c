// The interactive `create` flow through a real pseudo-terminal: typing, validation at the prompt,
// cancel at any step, and a generated project that holds exactly what was typed.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseSpec } from "../../src/spec/spec-file.js";
import pty from "node-pty";
import { CLI, expectProjectGreen, installProject, run, runCli, tempDir, testEnv, projectNode } from "../helpers/project.js";
import { PtySession as Session } from "../helpers/pty.js";

const KEY = { enter: "\r", down: "\x1b[B", up: "\x1b[A", left: "\x1b[D", ctrlC: "\x03" };

// What a user might type: quotes, backticks, template and comment breakers, unicode.
const PROMPT = 'Ask for the "PIN" `code` ${pin} */ — ünïcødé ✓ \\n';
const DESCRIPTION = "The caller's PIN `${x}` /* not a comment */";
const TRIGGER = 'Check my "order" ${now} ✓';
const VALUES = ["sms", "call `me`", "${x}"];

describe("create on a terminal", () => {
  it("asks for everything, validates as you type, and writes exactly what was typed", async () => {
    const cwd = tempDir("taskchain-pty-");
    const s = new Session([], cwd);
    await s.answer("Where should the project go?", `demo${KEY.enter}`);
    await s.answer("Links, in chain order", `Pin-Vetting${KEY.enter}`);
    await s.waitFor('link name "Pin-Vetting" must start with a lowercase letter');
    s.type(`${"\x7f".repeat("Pin-Vetting".length)}pin_vetting, data${KEY.enter}`);
    await s.answer("pin_vetting: the prompt", `${PROMPT}${KEY.enter}`);
    await s.answer("pin_vetting: parameters Agent4 collects", `${KEY.down}${KEY.enter}`);
    // qualified: pin (string, required) and channel (enum, optional)
    await s.answer("pin_vetting · qualified parameters: none", KEY.enter);
    await s.answer("qualified: field name", `pin${KEY.enter}`);
    await s.answer("pin: type", KEY.enter);
    await s.answer("pin: description", `${DESCRIPTION}${KEY.enter}`);
    await s.answer("pin: required?", KEY.enter);
    await s.answer("qualified parameters: pin (string)", `${KEY.up}${KEY.enter}`);
    await s.answer("qualified: field name", `channel${KEY.enter}`);
    await s.answer("channel: type", `${KEY.up}${KEY.enter}`);
    await s.answer("channel: allowed values", `${VALUES.join(", ")}${KEY.enter}`);
    await s.answer("channel: description", KEY.enter);
    await s.answer("channel: required?", `${KEY.left}${KEY.enter}`);
    await s.answer("qualified parameters: pin (string), channel", KEY.enter);
    // disqualified: drop the default reason; interrupt: keep it
    await s.answer("pin_vetting · disqualified parameters: reason (string)", `${KEY.down}${KEY.enter}`);
    await s.answer("remove which disqualified parameter?", KEY.enter);
    await s.answer("pin_vetting · disqualified parameters: none", KEY.enter);
    await s.answer("pin_vetting · interrupt parameters: reason (string)", KEY.enter);
    await s.answer("data: the prompt", KEY.enter);
    await s.answer("data: parameters Agent4 collects", KEY.enter);
    await s.answer("Runtime", KEY.enter);
    await s.answer("Sessions", `${KEY.down}${KEY.enter}`); // redis
    await s.answer("Add an example?", KEY.enter);
    await s.answer("Base URL", `https://hooks.example.test/a4${KEY.enter}`);
    await s.answer("Trigger", `${TRIGGER}${KEY.enter}`);
    await s.answer("Install dependencies", `${KEY.left}${KEY.enter}`);
    await s.answer("Initialise a git repository?", KEY.enter);
    await s.waitFor("Summary");
    await s.answer("Create the project?", KEY.enter);
    expect(await s.exited).toBe(0);

    const root = path.join(cwd, "demo");
    expect(JSON.parse(readFileSync(path.join(root, "chain.json"), "utf8"))).toEqual([
      { name: "pin_vetting", endpoint: "https://hooks.example.test/a4/pin_vetting" },
      { name: "data", endpoint: "https://hooks.example.test/a4/data" },
    ]);
    expect(run("git", ["log", "--format=%s"], root).stdout.trim()).toBe("Initial commit from create-taskchain");
    expect(s.text).toContain("npm run dev");
    expect(s.text).toContain("chain --print --with-token");

    // The one-shot command it prints, with the spec it prints, makes the same project.
    const screen = s.text;
    const specText = screen.slice(screen.indexOf("{", screen.indexOf("taskchain.spec.json:")), screen.indexOf("\nand run:"));
    const spec = parseSpec(JSON.parse(specText));
    expect(spec.trigger).toBe(TRIGGER);
    expect(spec.links[0]!.prompt).toBe(PROMPT);
    expect(spec.sessions).toBe("redis");
    const command = /npx create-taskchain (.+)\n/.exec(screen.slice(screen.indexOf("and run:")))![1]!;
    expect(command).toBe("demo --spec taskchain.spec.json --pm npm --no-install --git --yes");
    const again = tempDir("taskchain-pty-again-");
    writeFileSync(path.join(again, "taskchain.spec.json"), specText);
    const repeated = runCli(["demo", "--spec", "taskchain.spec.json", "--no-install", "--no-git", "--yes"], { cwd: again });
    expect(repeated.stderr).toBe("");
    expect(repeated.code).toBe(0);
    for (const file of ["chain.json", "package.json", "src/links/pin_vetting.ts", "src/links/data.ts", "src/links/index.ts", "test/pin_vetting.test.ts", "README.md"]) {
      expect(readFileSync(path.join(again, "demo", file), "utf8"), file).toBe(readFileSync(path.join(root, file), "utf8"));
    }

    // It compiles, passes its own tests, and answers `initial` with exactly the typed text.
    installProject(root);
    expectProjectGreen(root);
    writeFileSync(
      path.join(root, "readback.ts"),
      [
        'import { createApp } from "./src/app.ts";',
        "const app = createApp({});",
        "const out: Record<string, unknown> = {};",
        'for (const name of ["pin_vetting", "data"]) {',
        '  const a = await app.handle({ method: "POST", url: `/${name}`, body: { json: { name, action: "initial", call_from: "+15125550100", call_forwarded_by: "" } } });',
        "  out[name] = JSON.parse(a.body);",
        "}",
        "console.log(JSON.stringify(out));",
      ].join("\n"),
    );
    const read = run(projectNode(), ["readback.ts"], root);
    // The runtime logs one info line per answer on stdout, before the script's own last line; a
    // warning or an error on stderr is a fault.
    expect(read.stderr.split("\n").filter((line) => line !== "")).toEqual([]);
    const lines = read.stdout.trim().split("\n");
    expect(lines.slice(0, -1).every((line) => line.startsWith('{"level":"info","message":"webhook call answered"'))).toBe(true);
    const answers = JSON.parse(lines.at(-1)!) as Record<string, Record<string, unknown>>;
    expect(answers.pin_vetting!.content).toBe(PROMPT);
    expect(answers.pin_vetting!.qualified_parameters).toEqual({
      properties: { pin: { type: "string", description: DESCRIPTION }, channel: { type: "string", enum: VALUES } },
      required: ["pin"],
    });
    expect(answers.pin_vetting!.disqualified_parameters).toEqual({ properties: {}, required: [] });
    expect(answers.pin_vetting!.interrupt_parameters).toEqual({ properties: { reason: { type: "string", description: "Reason for interruption." } }, required: ["reason"] });
    expect((JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { taskchain: { trigger: string } }).taskchain.trigger).toBe(TRIGGER);
  });

  it("a directory typed as ~/… is under the home folder, as a shell would have it", async () => {
    const cwd = tempDir("taskchain-pty-");
    const home = tempDir("taskchain-home-");
    const flags = ["--link", "a", "--runtime", "node", "--sessions", "memory", "--example", "none", "--base-url", "https://x.test", "--trigger", "hi", "--no-install", "--no-git"];
    const s = new Session(flags, cwd, { env: { HOME: home } });
    await s.answer("Where should the project go?", `~/chains/tilde${KEY.enter}`);
    await s.answer("a: the prompt", KEY.enter);
    await s.answer("a: parameters", KEY.enter);
    await s.answer("Create the project?", KEY.enter);
    expect(await s.exited).toBe(0);
    expect(existsSync(path.join(home, "chains/tilde/chain.json"))).toBe(true);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("offers a worker its two shared stores, Durable Objects first, and writes the KV one when picked", async () => {
    const cwd = tempDir("taskchain-pty-");
    const flags = ["worker", "--link", "a", "--runtime", "cloudflare", "--example", "none", "--base-url", "https://x.test", "--trigger", "hi", "--no-install", "--no-git"];
    const s = new Session(flags, cwd);
    await s.answer("a: the prompt", KEY.enter);
    await s.answer("a: parameters", KEY.enter);
    await s.waitFor("Sessions");
    await s.answer("kv", `${KEY.down}${KEY.enter}`);
    await s.answer("Create the project?", KEY.enter);
    expect(await s.exited).toBe(0);
    const question = s.text.slice(s.text.indexOf("Sessions"));
    expect(question).toMatch(/durable-object[\s\S]*kv/);
    const root = path.join(cwd, "worker");
    expect((JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { taskchain: { sessions: string } }).taskchain.sessions).toBe("kv");
    expect(readFileSync(path.join(root, "wrangler.jsonc"), "utf8")).toContain('"kv_namespaces"');
  });

  it("a terminal for input but not for output does not prompt: it names the flags to pass", async () => {
    const cwd = tempDir("taskchain-pty-");
    // `create-taskchain > log` from a terminal: the questions would go into the file, unseen.
    const term = pty.spawn("/bin/sh", ["-c", `"${process.execPath}" "${CLI}" > out.txt 2> err.txt; echo "exit=$?"`], { cols: 120, rows: 30, cwd, env: testEnv() as Record<string, string> });
    let screen = "";
    term.onData((d) => (screen += d));
    await new Promise<void>((resolve) => term.onExit(() => resolve()));
    expect(screen).toContain("exit=1");
    expect(readFileSync(path.join(cwd, "err.txt"), "utf8")).toBe(
      "create-taskchain: missing the project directory and the links: pass <dir> and --link <names> (or --spec <file>, --from-chain <file>), or run in a terminal to be asked\n",
    );
    expect(readFileSync(path.join(cwd, "out.txt"), "utf8")).toBe("");
  });

  it("Ctrl-C at the first prompt exits 130 and creates nothing", async () => {
    const cwd = tempDir("taskchain-pty-");
    const s = new Session([], cwd);
    await s.answer("Where should the project go?", `half-typed${KEY.ctrlC}`);
    expect(await s.exited).toBe(130);
    expect(s.text).toContain("Cancelled: nothing was written.");
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("Ctrl-C at a later step exits 130 and creates nothing", async () => {
    const cwd = tempDir("taskchain-pty-");
    const s = new Session(["later", "--link", "a,b"], cwd);
    await s.answer("a: the prompt", KEY.enter);
    await s.answer("a: parameters", KEY.enter);
    await s.answer("b: the prompt", KEY.enter);
    await s.answer("b: parameters", KEY.enter);
    await s.answer("Runtime", `${KEY.down}${KEY.ctrlC}`);
    expect(await s.exited).toBe(130);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("--dry-run asks neither install nor git, lists the files and writes nothing", async () => {
    const cwd = tempDir("taskchain-pty-");
    const s = new Session(["dry", "--link", "a", "--runtime", "node", "--sessions", "memory", "--example", "none", "--base-url", "https://x.test", "--trigger", "hi", "--dry-run"], cwd);
    await s.answer("a: the prompt", KEY.enter);
    await s.answer("a: parameters", KEY.enter);
    await s.answer("List the files it would write (dry run: nothing is written)?", KEY.enter);
    await s.waitFor("create  src/links/a.ts");
    expect(await s.exited).toBe(0);
    expect(s.text).not.toContain("Install dependencies");
    expect(s.text).not.toContain("Initialise a git repository?");
    expect(s.text).toMatch(/dry run: \d+ files for .*; nothing was written/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("answering No at the summary exits 130 and creates nothing", async () => {
    const cwd = tempDir("taskchain-pty-");
    mkdirSync(path.join(cwd, "empty"));
    const s = new Session(["empty", "--link", "a", "--runtime", "node", "--sessions", "memory", "--example", "none", "--no-install", "--no-git", "--base-url", "https://x.test", "--trigger", "hi"], cwd);
    await s.answer("a: the prompt", KEY.enter);
    await s.answer("a: parameters", KEY.enter);
    await s.answer("Create the project?", `${KEY.left}${KEY.enter}`);
    expect(await s.exited).toBe(130);
    expect(readdirSync(path.join(cwd, "empty"))).toEqual([]);
    expect(existsSync(path.join(cwd, "empty", ".git"))).toBe(false);
  });

  it("an example whose links clash with the user's is refused at the question and asked again", async () => {
    const cwd = tempDir("taskchain-pty-");
    const s = new Session(["clash", "--link", "order_lookup", "--runtime", "node", "--sessions", "memory", "--base-url", "https://x.test", "--trigger", "hi", "--no-install", "--no-git"], cwd);
    await s.answer("order_lookup: the prompt", KEY.enter);
    await s.answer("order_lookup: parameters", KEY.enter);
    await s.answer("Add an example?", `${KEY.down}${KEY.enter}`);
    await s.waitFor('link "order_lookup" is a link of the shipstation example');
    await s.answer("Add an example?", KEY.enter);
    await s.answer("Create the project?", KEY.enter);
    expect(await s.exited).toBe(0);
    expect(JSON.parse(readFileSync(path.join(cwd, "clash/chain.json"), "utf8"))).toEqual([{ name: "order_lookup", endpoint: "https://x.test/order_lookup" }]);
  });

  it("does not offer an install the package manager is missing for, and refuses --install up front", async () => {
    const cwd = tempDir("taskchain-pty-");
    const PATH = tempDir("taskchain-bin-"); // no package manager, no git
    const flags = ["--link", "a", "--runtime", "node", "--sessions", "memory", "--example", "none", "--base-url", "https://x.test", "--trigger", "hi", "--no-git", "--pm", "pnpm"];
    const s = new Session(["proj", ...flags], cwd, { env: { PATH } });
    await s.answer("a: the prompt", KEY.enter);
    await s.answer("a: parameters", KEY.enter);
    await s.waitFor("Install    no (pnpm is not installed)");
    await s.answer("Create the project?", KEY.enter);
    expect(await s.exited).toBe(0);
    expect(s.text).not.toContain("Install dependencies (pnpm install)?");
    expect(s.text).toContain("pnpm install");
    expect(existsSync(path.join(cwd, "proj/src/links/a.ts"))).toBe(true);

    const forced = new Session(["proj2", ...flags, "--install"], cwd, { env: { PATH } });
    expect(await forced.exited).toBe(1);
    expect(forced.text).toContain("create-taskchain: pnpm is not installed, so it cannot install the dependencies");
    expect(existsSync(path.join(cwd, "proj2"))).toBe(false);
  });

  it("Ctrl-C during the install stops the package manager, keeps the project and exits 130", async () => {
    const cwd = tempDir("taskchain-pty-");
    const bin = tempDir("taskchain-bin-");
    // A slow install that records the signal it gets (sleep in the background, so the trap runs at
    // once; it ignores SIGINT there, so the trap stops it).
    writeFileSync(path.join(bin, "npm"), `#!/bin/sh\ntrap 'kill $!; echo stopped > "${bin}/log"; exit 130' INT TERM\nsleep 30 & wait\n`, { mode: 0o755 });
    const flags = ["--link", "a", "--runtime", "node", "--sessions", "memory", "--example", "none", "--base-url", "https://x.test", "--trigger", "hi", "--no-git", "--pm", "npm", "--install"];
    const s = new Session(["proj", ...flags], cwd, { env: { PATH: `${bin}:${process.env.PATH}` } });
    await s.answer("a: the prompt", KEY.enter);
    await s.answer("a: parameters", KEY.enter);
    await s.answer("Create the project?", KEY.enter);
    await s.answer("Installing dependencies (npm install)", KEY.ctrlC);
    expect(await s.exited).toBe(130);
    expect(s.text).toContain("create-taskchain: Install cancelled; the project is complete in proj: run `cd proj && npm install` to finish it");
    expect(readFileSync(path.join(bin, "log"), "utf8").trim()).toBe("stopped");
    expect(existsSync(path.join(cwd, "proj/src/links/a.ts"))).toBe(true);
  });

  it("installs under a spinner; a failed install keeps the project and exits 1", async () => {
    const cwd = tempDir("taskchain-pty-");
    const bin = tempDir("taskchain-bin-");
    writeFileSync(path.join(bin, "npm"), "#!/bin/sh\necho 'npm ERR! registry unreachable' >&2\nexit 1\n", { mode: 0o755 });
    const flags = ["--link", "a", "--runtime", "node", "--sessions", "memory", "--example", "none", "--base-url", "https://x.test", "--trigger", "hi", "--no-git", "--pm", "npm"];
    const s = new Session(["proj", ...flags], cwd, { env: { PATH: `${bin}:${process.env.PATH}` } });
    await s.answer("a: the prompt", KEY.enter);
    await s.answer("a: parameters", KEY.enter);
    await s.answer("Install dependencies (npm install)?", KEY.enter);
    await s.answer("Create the project?", KEY.enter);
    await s.waitFor("npm install failed");
    expect(await s.exited).toBe(1);
    expect(s.text).toContain("npm ERR! registry unreachable");
    expect(s.text).toContain("create-taskchain: npm install failed; the project is complete in proj: fix the cause and run `cd proj && npm install`");
    expect(existsSync(path.join(cwd, "proj/src/links/a.ts"))).toBe(true);

    const okBin = tempDir("taskchain-bin-");
    writeFileSync(path.join(okBin, "npm"), `#!/bin/sh\necho "$PWD $*" > '${okBin}/log'\n`, { mode: 0o755 });
    const ok = new Session(["proj2", ...flags], cwd, { env: { PATH: `${okBin}:${process.env.PATH}` } });
    await ok.answer("a: the prompt", KEY.enter);
    await ok.answer("a: parameters", KEY.enter);
    await ok.answer("Install dependencies (npm install)?", KEY.enter);
    await ok.answer("Create the project?", KEY.enter);
    await ok.waitFor("Dependencies installed");
    expect(await ok.exited).toBe(0);
    expect(readFileSync(path.join(okBin, "log"), "utf8").trim()).toBe(`${path.join(cwd, "proj2")} install --no-audit --no-fund`);
    expect(ok.text).toContain("--install --no-git --yes"); // the repeat command keeps the answer
  });
});

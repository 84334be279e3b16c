// `create` as a process with no terminal: the no-TTY error, exit codes, colours, package managers,
// git, and an install that fails without taking the project with it.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { CLI, expectProjectGreen, installProject, projectNode, REPO, run, runCli, tempDir, testEnv } from "../helpers/project.js";

/** A folder with a fake executable `name` that logs its arguments and exits with `code`. */
function fakeBin(name: string, code: number, say = ""): { dir: string; log: string } {
  const dir = tempDir("taskchain-bin-");
  const log = path.join(dir, `${name}.log`);
  writeFileSync(path.join(dir, name), `#!/bin/sh\necho "$PWD $*" >> '${log}'\n${say ? `echo '${say}' >&2\n` : ""}exit ${code}\n`);
  chmodSync(path.join(dir, name), 0o755);
  return { dir, log };
}

describe("create with no terminal", () => {
  it("names the flags to pass and never waits for input", () => {
    const cwd = tempDir();
    const r = runCli([], { cwd, timeout: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "create-taskchain: missing the project directory and the links: pass <dir> and --link <names> (or --spec <file>, --from-chain <file>), or run in a terminal to be asked\n",
    );
    const links = runCli(["p"], { cwd });
    expect(links.code).toBe(1);
    expect(links.stderr).toBe("create-taskchain: missing the links: pass --link <names> (or --spec <file>, --from-chain <file>), or run in a terminal to be asked\n");
  });

  it("exits 1 with one line for a bad flag value", () => {
    const cwd = tempDir();
    const r = runCli(["p", "--link", "Bad Name"], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(existsSync(path.join(cwd, "p"))).toBe(false);
  });

  it("takes npm create style argv: a -- passed on before the flags, and says what to do when npm took the flags", () => {
    const cwd = tempDir();
    // pnpm/yarn/bun create hand the `--` of `npm create taskchain my-chain -- --link a` on.
    const passed = runCli(["my-chain", "--", "--link", "a,b", "--yes", "--no-install", "--no-git"], { cwd });
    expect(passed.stderr).toBe("");
    expect(passed.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(cwd, "my-chain/chain.json"), "utf8")).map((l: { name: string }) => l.name)).toEqual(["a", "b"]);
    // `npm create taskchain my-x --link a,b` without `--`: npm keeps --link for itself, its value arrives.
    const eaten = runCli(["my-x", "a,b"], { cwd });
    expect(eaten.code).toBe(1);
    expect(eaten.stderr).toBe(
      "create-taskchain: too many arguments: one directory is expected (quote a name with spaces; with npm create or npm exec, flags go after --: npm create taskchain@latest my-chain -- --link a,b) (run with --help for usage)\n",
    );
    // Commander's own errors are one line too.
    const unknown = runCli(["p", "--link", "a", "--bogus"], { cwd });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("create-taskchain: unknown option '--bogus' (run with --help for usage)\n");
    // Also when what they quote holds a newline.
    const split = runCli(["p", "--link", "a", "--bo\ngus"], { cwd });
    expect(split.code).toBe(1);
    expect(split.stderr).toBe("create-taskchain: unknown option '--bo\\ngus' (run with --help for usage)\n");
    const choice = runCli(["p", "--link", "a", "--runtime", "no\nde"], { cwd });
    expect(choice.code).toBe(1);
    expect(choice.stderr).toMatch(/^create-taskchain: option '-r, --runtime <name>' argument 'no\\nde' is invalid\. .*\n$/);
    expect(choice.stderr.trim().split("\n")).toHaveLength(1);
    expect(existsSync(path.join(cwd, "my-x"))).toBe(false);
    expect(existsSync(path.join(cwd, "p"))).toBe(false);
  });

  it("takes create as an explicit command and refuses a slip of a command name instead of making a folder of it", () => {
    const cwd = tempDir();
    onTestFinished(() => rmSync(cwd, { recursive: true, force: true }));
    const explicit = runCli(["create", "my-chain", "--link", "a", "--yes", "--no-install", "--no-git"], { cwd });
    expect(explicit.stderr).toBe("");
    expect(explicit.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(cwd, "my-chain/chain.json"), "utf8")).map((l: { name: string }) => l.name)).toEqual(["a"]);
    for (const [typed, meant] of [["simlate", "simulate"], ["add-lnk", "add-link"], ["verfy", "verify"]]) {
      const slip = runCli([typed!, "--link", "a", "--yes"], { cwd });
      expect(slip.code).toBe(1);
      expect(slip.stdout).toBe("");
      expect(slip.stderr).toBe(`create-taskchain: unknown command '${typed}'; did you mean ${meant}? (to create a project in a folder of that name: create-taskchain create ${typed})\n`);
      expect(existsSync(path.join(cwd, typed!))).toBe(false);
    }
    const help = runCli(["help", "verify"], { cwd });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: create-taskchain verify \[options\]/);
    expect(existsSync(path.join(cwd, "help"))).toBe(false);
    // A suggestion from commander stays on the line, without a literal \n.
    const option = runCli(["p", "--links", "a"], { cwd });
    expect(option.code).toBe(1);
    expect(option.stderr).toBe("create-taskchain: unknown option '--links'; did you mean --link? (run with --help for usage)\n");
  });

  it("--help prints commander's own help: the text the build captured for bin's fast path is the same", () => {
    const captured = readFileSync(path.join(REPO, "dist/help.txt"), "utf8");
    const commander = spawnSync(process.execPath, [path.join(REPO, "dist/cli.js"), "--help"], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(commander.status).toBe(0);
    expect(captured).toBe(commander.stdout);
    expect(captured).toMatch(/^Usage: create-taskchain \[options\] \[command\] \[dir\]/);
    expect(runCli(["--help"]).stdout).toBe(captured);
  });

  it("colours follow NO_COLOR / FORCE_COLOR and are off when piped", () => {
    const plain = runCli(["p", "--link", "a", "--dry-run"], { cwd: tempDir() });
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain("\x1b[");
    // testEnv() strips FORCE_COLOR, so this one spawns by hand.
    const env = { ...testEnv({ NO_COLOR: undefined }), FORCE_COLOR: "1" };
    const forced = spawnSync(process.execPath, [CLI, "p", "--link", "a", "--dry-run"], { cwd: tempDir(), env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(forced.stdout).toContain("\x1b[2mdry run:"); // the dim dry-run line
    const piped = runCli(["p", "--link", "a", "--dry-run"], { cwd: tempDir(), env: { NO_COLOR: undefined } });
    expect(piped.stdout).not.toContain("\x1b[");
  });

  it("a failed install keeps the project, reports it with a hint, and exits 1", () => {
    const cwd = tempDir();
    const npm = fakeBin("npm", 1, "npm ERR! network unreachable");
    const r = runCli(["my-chain", "--link", "a", "--no-git", "--pm", "npm"], { cwd, env: { PATH: `${npm.dir}:${process.env.PATH}` } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("npm ERR! network unreachable");
    expect(r.stderr.trim().split("\n").at(-1)).toBe(
      "create-taskchain: npm install failed; the project is complete in my-chain: fix the cause and run `cd my-chain && npm install`",
    );
    expect(readFileSync(npm.log, "utf8").trim()).toBe(`${path.join(cwd, "my-chain")} install --no-audit --no-fund`);
    expect(JSON.parse(readFileSync(path.join(cwd, "my-chain/chain.json"), "utf8"))).toEqual([{ name: "a", endpoint: "https://your-webhook.example.com/a" }]);
  });

  it("installs with the package manager that ran it, or --pm", () => {
    const cwd = tempDir();
    const pnpm = fakeBin("pnpm", 0);
    const yarn = fakeBin("yarn", 0);
    const PATH = `${pnpm.dir}:${yarn.dir}:${process.env.PATH}`;
    const viaAgent = runCli(["p1", "--link", "a", "--no-git"], { cwd, env: { PATH, npm_config_user_agent: "pnpm/9.12.0 npm/? node/v20.20.2 linux x64" } });
    expect(viaAgent.code, viaAgent.stderr).toBe(0);
    expect(readFileSync(pnpm.log, "utf8").trim()).toBe(`${path.join(cwd, "p1")} install`);
    expect(viaAgent.stdout).toContain("pnpm dev");
    expect(viaAgent.stdout).not.toContain("pnpm install\n"); // installed: no install step left

    const viaFlag = runCli(["p2", "--link", "a", "--no-git", "--pm", "yarn"], { cwd, env: { PATH, npm_config_user_agent: "pnpm/9.12.0" } });
    expect(viaFlag.code, viaFlag.stderr).toBe(0);
    expect(readFileSync(yarn.log, "utf8").trim()).toBe(`${path.join(cwd, "p2")}`);
    expect(viaFlag.stdout).toContain("yarn dev");
  });

  it("initialises git with a first commit, but not inside an existing repository", () => {
    const cwd = tempDir();
    const r = runCli(["p", "--link", "a", "--no-install"], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Initialised a git repository with a first commit");
    expect(run("git", ["status", "--porcelain"], path.join(cwd, "p")).stdout).toBe("");
    expect(run("git", ["ls-files"], path.join(cwd, "p")).stdout).toContain("src/links/a.ts");

    const repo = path.join(cwd, "p");
    mkdirSync(path.join(repo, "packages"));
    const nested = runCli(["packages/inner", "--link", "b", "--no-install"], { cwd: repo });
    expect(nested.code, nested.stderr).toBe(0);
    expect(nested.stdout).toContain("Inside an existing git repository: no new one");
    expect(existsSync(path.join(repo, "packages/inner/.git"))).toBe(false);

    const none = runCli(["q", "--link", "a", "--no-install", "--no-git"], { cwd });
    expect(none.code).toBe(0);
    expect(existsSync(path.join(cwd, "q/.git"))).toBe(false);
  });

  it("without a git identity the files are staged and the user is told how to commit; without git, no repository", () => {
    const cwd = tempDir();
    const home = tempDir("taskchain-home-");
    // No config files, and no guessing a name from the host: as on a fresh machine.
    const env = { HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "user.useConfigOnly", GIT_CONFIG_VALUE_0: "true" };
    const r = runCli(["p", "--link", "a", "--no-install"], { cwd, env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'Initialised a git repository with the files staged, but no first commit: git has no user.name/user.email; set them (git config --global user.name "Your Name", git config --global user.email you@example.com), then run git commit -m "Initial commit"',
    );
    const staged = run("git", ["diff", "--cached", "--name-only"], path.join(cwd, "p"), env).stdout.split("\n");
    expect(staged).toContain("src/links/a.ts");
    expect(staged).toContain("chain.json");

    const bin = tempDir("taskchain-bin-"); // PATH without git
    const none = runCli(["q", "--link", "a", "--no-install"], { cwd, env: { PATH: bin } });
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain("git is not installed: no repository");
    expect(existsSync(path.join(cwd, "q/.git"))).toBe(false);
    expect(existsSync(path.join(cwd, "q/src/links/a.ts"))).toBe(true);
  });

  it("a spec full of awkward text makes a project that compiles and passes its tests", () => {
    const cwd = tempDir();
    const odd = 'He said "hi" `${x}` */ /* \\ \n new line ünïcødé ✓ \u2028 </script> \'quoted\'';
    const spec = {
      trigger: odd,
      links: [
        {
          name: "pin_vetting",
          prompt: odd,
          qualified_parameters: {
            properties: {
              pin: { type: "string", description: odd },
              mode: { type: "string", enum: [odd, "plain"], description: odd },
              "weird key ${x}": { type: "integer", description: "*/" },
              // Other JSON-schema keywords: bounds become zod checks, the rest zod metadata.
              when: { type: "string", format: "date", default: odd, examples: [odd, null, 1.5], "x-ui": { [odd]: { deep: [true] } }, minLength: 3 },
              count: { type: "integer", minimum: 2, exclusiveMaximum: 5, title: odd, deprecated: true },
            },
            required: ["pin", "mode"],
          },
          interrupt_parameters: { properties: { [odd]: { type: "boolean" } }, required: [] },
        },
      ],
    };
    writeFileSync(path.join(cwd, "spec.json"), JSON.stringify(spec));
    const r = runCli(["odd", "--spec", "spec.json", "--yes", "--no-install", "--no-git"], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const root = path.join(cwd, "odd");
    installProject(root);
    expectProjectGreen(root);
    writeFileSync(
      path.join(root, "readback.ts"),
      'import { pinVettingLink } from "./src/links/pin_vetting.ts";\nimport { toParameterBlock } from "./src/taskchain/parameters.ts";\n' +
        "console.log(JSON.stringify({ q: toParameterBlock(pinVettingLink.parameters.qualified), i: toParameterBlock(pinVettingLink.parameters.interrupt) }));\n",
    );
    const read = run(projectNode(), ["readback.ts"], root);
    expect(read.stderr).toBe("");
    const blocks = JSON.parse(read.stdout) as { q: { properties: Record<string, { description?: string; enum?: string[] }> }; i: { properties: Record<string, unknown> } };
    expect(blocks.q.properties.pin!.description).toBe(odd);
    expect(blocks.q.properties.mode!.enum).toEqual([odd, "plain"]);
    expect(blocks.q.properties["weird key ${x}"]!.description).toBe("*/");
    expect(blocks.q.properties.when).toEqual(spec.links[0]!.qualified_parameters.properties.when);
    expect(blocks.q.properties.count).toEqual(spec.links[0]!.qualified_parameters.properties.count);
    expect(Object.keys(blocks.i.properties)).toEqual([odd]);
    expect((JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { taskchain: { trigger: string } }).taskchain.trigger).toBe(odd);
  });
});

// The CLI as users get it: packed, published to a registry, run by `npm create taskchain@<version>`
// with no terminal. The project it writes installs its pinned create-taskchain from that registry,
// commits after the install (lockfile included), and its own `npx create-taskchain` is that one.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { expectProjectGreen, run, tempDir } from "../helpers/project.js";
import { startRegistry, type LocalRegistry } from "../helpers/registry.js";

let registry: LocalRegistry;
let cwd: string;
beforeAll(async () => {
  registry = await startRegistry();
  cwd = tempDir("taskchain-registry-e2e-");
});
afterAll(async () => {
  await registry?.stop();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

it("npm create taskchain@<version> writes, installs and commits a project that resolves its CLI from the registry", () => {
  const env = {
    ...registry.env,
    // A cache of its own: nothing from an earlier run's npx cache stands in for the published CLI.
    npm_config_cache: path.join(cwd, ".npm"),
    GIT_AUTHOR_NAME: "Test",
    GIT_AUTHOR_EMAIL: "test@example.com",
    GIT_COMMITTER_NAME: "Test",
    GIT_COMMITTER_EMAIL: "test@example.com",
  };
  const created = run("npm", ["create", `taskchain@${registry.version}`, "my-chain", "--", "--link", "pin_vetting,wrap_up", "--git", "--install"], cwd, env, 600_000);
  expect(created.code, created.stdout + created.stderr).toBe(0);
  expect(created.stdout).toContain("Initialised a git repository with a first commit");
  const dir = path.join(cwd, "my-chain");

  // The pinned CLI, resolved from the local registry.
  const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
  expect(pkg.devDependencies["create-taskchain"]).toBe(registry.version);
  // npm 11 writes no download address into the lockfile: the integrity is the published tarball's.
  const lock = JSON.parse(readFileSync(path.join(dir, "package-lock.json"), "utf8")) as { packages: Record<string, { version?: string; integrity?: string }> };
  const cli = lock.packages["node_modules/create-taskchain"]!;
  expect(cli.version).toBe(registry.version);
  const published = run("npm", ["view", `create-taskchain@${registry.version}`, "dist.integrity"], cwd, env);
  expect(cli.integrity).toBe(published.stdout.trim());
  expect(JSON.parse(readFileSync(path.join(dir, "node_modules/create-taskchain/package.json"), "utf8"))).toMatchObject({ version: registry.version });

  // Committed after the install: the lockfile is in the first commit and nothing is left over.
  expect(run("git", ["status", "--porcelain"], dir).stdout).toBe("");
  expect(run("git", ["ls-files"], dir).stdout.split("\n")).toContain("package-lock.json");

  // npm create installed the CLI alone (ts-morph is an optional peer); the project lists ts-morph.
  const npx = path.join(cwd, ".npm/_npx");
  const cached = readdirSync(npx).map((d) => path.join(npx, d, "node_modules"));
  expect(cached.some((d) => existsSync(path.join(d, "create-taskchain")))).toBe(true);
  expect(cached.some((d) => existsSync(path.join(d, "ts-morph")))).toBe(false);
  expect(existsSync(path.join(dir, "node_modules/ts-morph"))).toBe(true);

  // `npx create-taskchain` inside the project is the installed one: no download, same version.
  const version = run("npx", ["--no-install", "create-taskchain", "--version"], dir, env);
  expect(version.stdout.trim()).toBe(registry.version);
  const added = run("npx", ["--no-install", "create-taskchain", "add-link", "follow_up", "--yes"], dir, env);
  expect(added.code, added.stderr).toBe(0);
  expect(existsSync(path.join(dir, "src/links/follow_up.ts"))).toBe(true);
  expect(run("npx", ["--no-install", "create-taskchain", "chain", "--check"], dir, env).code).toBe(0);
  expectProjectGreen(dir);

  // Without ts-morph an edit command that needs it says how to get it, in one line, and changes nothing.
  rmSync(path.join(dir, "node_modules/ts-morph"), { recursive: true });
  const before = run("git", ["status", "--porcelain", "--untracked-files=all"], dir).stdout;
  const refused = run("npx", ["--no-install", "create-taskchain", "rename-link", "wrap_up", "goodbye"], dir, env);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/^create-taskchain: this command needs ts-morph, which is not installed here: run `npm install --save-dev ts-morph@"[^"]+"` in the project/);
  expect(refused.stderr.trim().split("\n")).toHaveLength(1);
  expect(run("git", ["status", "--porcelain", "--untracked-files=all"], dir).stdout).toBe(before);
  expect(existsSync(path.join(dir, "src/links/wrap_up.ts"))).toBe(true);
});

// The published package, as a user gets it: `npm pack`, then `npm exec --package=<tarball>` in an
// empty folder. Uses dist/ as built by `npm run build` (npm test builds first).
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, expectProjectGreen, installProject, run, tempDir } from "../helpers/project.js";

describe("the packed CLI", () => {
  it("scaffolds a project that installs, type-checks and passes its tests", () => {
    expect(existsSync(path.join(REPO, "dist/cli.js")), "run `npm run build` first").toBe(true);
    const work = tempDir("taskchain-pack-");
    // --ignore-scripts: prepack would delete dist/ under other test runs; it is built already.
    const packed = run("npm", ["pack", "--ignore-scripts", "--pack-destination", work, "--loglevel=error"], REPO);
    expect(packed.code, packed.stderr).toBe(0);
    const tarball = path.join(work, packed.stdout.trim().split("\n").at(-1)!);
    expect(existsSync(tarball)).toBe(true);

    const list = run("tar", ["-tzf", tarball], work).stdout.split("\n");
    for (const file of ["package/bin/create-taskchain.js", "package/dist/cli.js", "package/templates/base/src/taskchain/protocol.ts", "package/templates/base/_gitignore"]) {
      expect(list).toContain(file);
    }

    const folder = path.join(work, "empty");
    mkdirSync(folder);
    const r = run(
      "npm",
      ["exec", "--yes", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", `--package=${tarball}`, "create-taskchain", "--", "my-chain", "--link", "a,b", "--yes", "--no-install"],
      folder,
      {},
      900_000,
    );
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain("Created my-chain: a → b on node");
    expect(readdirSync(folder)).toEqual(["my-chain"]);

    const root = path.join(folder, "my-chain");
    expect(JSON.parse(readFileSync(path.join(root, "chain.json"), "utf8"))).toEqual([
      { name: "a", endpoint: "https://your-webhook.example.com/a" },
      { name: "b", endpoint: "https://your-webhook.example.com/b" },
    ]);
    expect(existsSync(path.join(root, ".gitignore"))).toBe(true);
    expect(existsSync(path.join(root, "node_modules"))).toBe(false); // --no-install

    installProject(root);
    const { test } = expectProjectGreen(root);
    expect(`${test.stdout}${test.stderr}`).toMatch(/a\.test\.ts/);
  });
});

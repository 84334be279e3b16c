// upgrade across versions for real: a project written by the CLI packed from an earlier commit of
// this repository (before projects recorded their owned files), one owned file and one link edited,
// then upgraded by this checkout's CLI. Unedited owned files become current, the edited ones keep
// every byte and their diff is printed, --dry-run writes nothing, and the project type-checks and
// passes its own tests afterwards.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectFeatures } from "../../src/generate/features.js";
import { ownedFiles } from "../../src/generate/owned.js";
import { earlierCli } from "../helpers/earlier-cli.js";
import { expectProjectGreen, installProject, run, runCli, tempDir } from "../helpers/project.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (rel: string) => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.name === "node_modules") continue;
      if (e.isDirectory()) visit(child);
      else out.set(child, createHash("sha256").update(readFileSync(path.join(root, child))).digest("hex"));
    }
  };
  visit("");
  return out;
}

describe("upgrade of a project written by an earlier version", () => {
  it("brings unedited owned files to the current templates, keeps edited ones and links byte for byte, and stays green", () => {
    const parent = tempDir("taskchain-upgrade-");
    dirs.push(parent);
    const made = run(process.execPath, [earlierCli(), "hooks", "--link", "pin_vetting,wrap_up", "--yes", "--no-install", "--no-git"], parent);
    expect(made.code, made.stdout + made.stderr).toBe(0);
    const root = path.join(parent, "hooks");
    const edit = (file: string, from: string, to: string) => {
      const text = readFileSync(path.join(root, file), "utf8");
      expect(text).toContain(from);
      writeFileSync(path.join(root, file), text.replace(from, to));
    };
    edit("src/taskchain/http.ts", "Missing or wrong token", "Missing or wrong token (see the README)");
    edit("src/links/pin_vetting.ts", "Thank you for calling.", "Thank you for calling Acme.");
    const edited = ["src/taskchain/http.ts", "src/links/pin_vetting.ts"].map((file) => [file, readFileSync(path.join(root, file), "utf8")] as const);
    const before = snapshot(root);

    const dry = runCli(["upgrade", "--dry-run"], { cwd: root });
    expect(dry.code, dry.stdout + dry.stderr).toBe(0);
    expect(snapshot(root)).toEqual(before);
    expect(dry.stdout).toContain("(dry run: nothing was written)");

    const up = runCli(["upgrade"], { cwd: root });
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toContain("the project records no version");
    expect(up.stdout).toContain("src/taskchain/http.ts: you edited it. To take the current version: npx create-taskchain upgrade --force src/taskchain/http.ts");
    expect(up.stdout).toContain("+++ src/taskchain/http.ts (create-taskchain");
    expect(up.stdout).toMatch(/^-.*Missing or wrong token \(see the README\)/m);
    for (const [file, content] of edited) expect(readFileSync(path.join(root, file), "utf8"), file).toBe(content);
    const current = ownedFiles(projectFeatures("node", "redis"));
    const changedBy = [...current].filter(([file, content]) => file !== "src/taskchain/http.ts" && readFileSync(path.join(root, file), "utf8") !== content).map(([file]) => file);
    expect(changedBy, "owned files not brought to the current version").toEqual([]);
    // Something really changed between the versions, or this test would prove nothing.
    expect([...current.keys()].filter((file) => before.get(file) !== snapshot(root).get(file)).length).toBeGreaterThan(3);
    expect(up.stdout).toMatch(/^create {2}src\/taskchain\/record\.ts$/m);

    expect(up.stdout).toContain("If the project no longer type-checks, take the current version with --force");

    // The runtime around the kept file moved on (dispatch.ts imports what the old http.ts lacks), so
    // the user does what the report says: takes the current version and applies the edit again.
    const forced = runCli(["upgrade", "--force", "src/taskchain/http.ts"], { cwd: root });
    expect(forced.code, forced.stdout + forced.stderr).toBe(0);
    expect(readFileSync(path.join(root, "src/taskchain/http.ts"), "utf8")).toBe(current.get("src/taskchain/http.ts"));
    edit("src/taskchain/http.ts", "Missing or wrong token", "Missing or wrong token (see the README)");
    installProject(root);
    expectProjectGreen(root);
    const again = runCli(["upgrade", "--dry-run"], { cwd: root });
    expect(again.stdout).toContain("The owned files are current.");
    expect(again.stdout).toContain("src/taskchain/http.ts: you edited it.");
  });
});

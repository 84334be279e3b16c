// upgrade: owned files brought to the current templates while unedited, edited ones left byte for
// byte with their diff shown, links never touched; on projects with and without a record.
import { rmSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { projectFeatures } from "../../src/generate/features.js";
import { hashOf, knownVersions, OWNED_HEADER, ownedFiles, withoutHeader } from "../../src/generate/owned.js";
import { renderFolder } from "../../src/generate/templates.js";
import { expectRefused, makeProject, read, runCommand, snapshot, write } from "./edit-helpers.js";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(path.dirname(root), { recursive: true, force: true });
});
async function project(): Promise<string> {
  const root = await makeProject(["pin_vetting", "schedule"]);
  roots.push(root);
  return root;
}
type Pkg = { taskchain: { owned?: Record<string, string>; version?: string }; devDependencies: Record<string, string> };
const pkgOf = (root: string) => JSON.parse(read(root, "package.json")) as Pkg;
const setPkg = (root: string, edit: (pkg: Pkg) => void) => {
  const pkg = pkgOf(root);
  edit(pkg);
  write(root, "package.json", `${JSON.stringify(pkg, null, 2)}\n`);
};
const current = ownedFiles(projectFeatures("node", "memory"));

describe("owned files", () => {
  it("are the copied TypeScript of the runtime, server and contract suite, each with the header, recorded by hash", async () => {
    const root = await project();
    expect([...current.keys()]).toEqual(expect.arrayContaining(["src/taskchain/dispatch.ts", "src/server.ts", "src/main.ts", "src/app.ts", "test/contract.ts", "test/target.ts"]));
    expect([...current.keys()].filter((file) => file.startsWith("src/links/") || /^test\/(pin_vetting|schedule)\./.test(file))).toEqual([]);
    for (const [file, content] of current) {
      expect(read(root, file)).toBe(content);
      expect(content.split("\n")[0]).toBe(OWNED_HEADER);
      expect(pkgOf(root).taskchain.owned?.[file]).toBe(hashOf(content));
    }
    expect(Object.keys(pkgOf(root).taskchain.owned ?? {}).sort()).toEqual([...current.keys()].sort());
  });

  it("have every current template in the known versions (npm run owned-history rebuilds them)", () => {
    const known = knownVersions();
    for (const folder of ["base", "runtimes/node", "runtimes/express", "runtimes/fastify", "runtimes/hono", "runtimes/cloudflare", "runtimes/lambda", "node-process", "node-server", "node-body", "stores/memory", "stores/redis", "stores/dynamodb", "stores/kv", "stores/durable-object", "stores/outage"]) {
      for (const [file, content] of renderFolder(folder, {}, (rel) => rel.endsWith(".ts"))) {
        expect(known[file], `${folder} → ${file}: run npm run owned-history`).toContain(hashOf(content));
      }
    }
  });
});

describe("upgrade on a project that records its owned files", () => {
  it("updates what was written by an earlier version, keeps what the user edited, adds, removes, and never touches links", async () => {
    const root = await project();
    const earlier = (text: string) => text.replace("Missing or wrong token", "Missing or invalid token");
    // Written by an "earlier version": the record matches the file as it is.
    write(root, "src/taskchain/http.ts", earlier(read(root, "src/taskchain/http.ts")));
    // Edited by the user: the record does not match.
    write(root, "src/server.ts", read(root, "src/server.ts").replace("res.end(answer.body);", "res.end(answer.body); // mine"));
    // An owned file the earlier version wrote and this one does not.
    write(root, "src/taskchain/retired.ts", `${OWNED_HEADER}\nexport const retired = 1;\n`);
    // An owned file this version adds.
    rmSync(path.join(root, "src/taskchain/record.ts"));
    setPkg(root, (pkg) => {
      const owned = { ...pkg.taskchain.owned };
      owned["src/taskchain/http.ts"] = hashOf(read(root, "src/taskchain/http.ts"));
      owned["src/taskchain/retired.ts"] = hashOf(read(root, "src/taskchain/retired.ts"));
      delete owned["src/taskchain/record.ts"];
      pkg.taskchain.owned = owned;
      pkg.taskchain.version = "0.0.9";
      pkg.devDependencies["create-taskchain"] = "0.0.9";
    });
    write(root, "src/links/pin_vetting.ts", `${read(root, "src/links/pin_vetting.ts")}// my link\n`);
    const before = snapshot(root);

    const dry = await runCommand("upgrade", { cwd: root, dryRun: true });
    expect(snapshot(root)).toEqual(before);
    expect(dry.out).toContain("(the project was written by 0.0.9)");
    expect(dry.out).toMatch(/^update {2}src\/taskchain\/http\.ts$/m);
    expect(dry.out).toMatch(/^create {2}src\/taskchain\/record\.ts$/m);
    expect(dry.out).toMatch(/^delete {2}src\/taskchain\/retired\.ts$/m);
    expect(dry.out).toContain("src/server.ts: you edited it. To take the current version: npx create-taskchain upgrade --force src/server.ts");
    expect(dry.out).toContain("-  res.end(answer.body); // mine");
    expect(dry.out).toContain("(dry run: nothing was written)");

    const ran = await runCommand("upgrade", { cwd: root });
    expect(ran.code).toBe(0);
    const after = snapshot(root);
    expect(after.get("src/taskchain/http.ts")).toBe(current.get("src/taskchain/http.ts"));
    expect(after.get("src/taskchain/record.ts")).toBe(current.get("src/taskchain/record.ts"));
    expect(after.has("src/taskchain/retired.ts")).toBe(false);
    expect(after.get("src/server.ts")).toBe(before.get("src/server.ts"));
    for (const [file, content] of before) {
      if (file.startsWith("src/links/") || file.startsWith("test/pin_vetting") || file.startsWith("test/schedule") || file === "chain.json" || file === "README.md") expect(after.get(file), file).toBe(content);
    }
    const pkg = pkgOf(root);
    expect(pkg.devDependencies["create-taskchain"]).toBe(pkgOf(await project()).devDependencies["create-taskchain"]);
    // The edited file keeps its old record, so the next upgrade still sees it as edited.
    expect(pkg.taskchain.owned?.["src/server.ts"]).toBe(hashOf(current.get("src/server.ts")!));
    expect(pkg.taskchain.owned?.["src/server.ts"]).not.toBe(hashOf(after.get("src/server.ts")!));
    expect(pkg.taskchain.owned?.["src/taskchain/retired.ts"]).toBeUndefined();
    expect((await runCommand("upgrade", { cwd: root, dryRun: true })).out).toContain("The owned files are current.");

    const forced = await runCommand("upgrade", { cwd: root, force: ["src/server.ts"] });
    expect(forced.code).toBe(0);
    expect(read(root, "src/server.ts")).toBe(current.get("src/server.ts"));
  });

  it("leaves an owned file the user deleted deleted, and brings it back with --force", async () => {
    const root = await project();
    rmSync(path.join(root, "test/target-shared.ts"));
    const ran = await runCommand("upgrade", { cwd: root });
    expect(ran.out).toContain("test/target-shared.ts: you deleted it; upgrade leaves it out (--force test/target-shared.ts brings it back)");
    await runCommand("upgrade", { cwd: root, force: ["test/target-shared.ts"] });
    expect(read(root, "test/target-shared.ts")).toBe(current.get("test/target-shared.ts"));
  });

  it("refuses --force on a file it does not own, and a broken record, in one line with nothing written", async () => {
    const root = await project();
    await expectRefused(root, "upgrade", { force: ["src/links/pin_vetting.ts"] }, /^--force src\/links\/pin_vetting\.ts: not a file create-taskchain owns/);
    setPkg(root, (pkg) => void (pkg.taskchain.owned = ["nope"] as never));
    await expectRefused(root, "upgrade", {}, /^package\.json "taskchain\.owned" is not a map of file → hash/);
    setPkg(root, (pkg) => void Object.assign(pkg.taskchain, { owned: undefined, runtime: "deno" }));
    await expectRefused(root, "upgrade", {}, /^package\.json "taskchain\.runtime" is "deno", expected one of node, express/);
  });
});

describe("upgrade on a project from before records", () => {
  it("upgrades files equal to a known version and reports the rest", async () => {
    const root = await project();
    // As an earlier CLI wrote it: no header, no record; one file at a version that is not current.
    for (const file of current.keys()) write(root, file, withoutHeader(read(root, file)));
    write(root, "src/taskchain/log.ts", `${withoutHeader(current.get("src/taskchain/log.ts")!)}// edited\n`);
    setPkg(root, (pkg) => {
      delete pkg.taskchain.owned;
      delete pkg.taskchain.version;
    });
    const ran = await runCommand("upgrade", { cwd: root });
    expect(ran.out).toContain("the project records no version");
    expect(ran.out).toContain("src/taskchain/log.ts: you edited it.");
    for (const [file, content] of current) {
      if (file === "src/taskchain/log.ts") expect(read(root, file)).toBe(`${withoutHeader(content)}// edited\n`);
      else expect(read(root, file), file).toBe(content);
    }
    // A file with no record and no known version stays unrecorded: it is still the user's next time.
    expect(pkgOf(root).taskchain.owned?.["src/taskchain/log.ts"]).toBeUndefined();
  });
});

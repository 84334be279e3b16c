// chain, chain --check, remove-link and rename-link on generated and hand-edited projects.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { renderChainJson } from "../../src/generate/project.js";
import { expectRefused, fixture, lineChanges, makeProject, read, runCommand, snapshot, write } from "./edit-helpers.js";

async function check(root: string, extra: Record<string, unknown> = {}) {
  return runCommand("chain", { cwd: root, check: true, ...extra });
}

function useSwitchTask(root: string, file: string, target: string): void {
  write(
    root,
    file,
    read(root, file)
      .replace("defineLink, endCall, nextTask", "defineLink, endCall, nextTask, switchTask")
      .replace("actions: [endCall()],", `actions: [switchTask(${JSON.stringify(target)})],`),
  );
}

/** Moves link `name` to src/links/flows/, updating its imports the way an editor would. */
function moveToSubfolder(root: string, name: string): void {
  mkdirSync(path.join(root, "src/links/flows"));
  write(root, `src/links/flows/${name}.ts`, read(root, `src/links/${name}.ts`).replace('"../taskchain/index.ts"', '"../../taskchain/index.ts"'));
  rmSync(path.join(root, `src/links/${name}.ts`));
  write(root, "src/links/index.ts", read(root, "src/links/index.ts").replace(`"./${name}.ts"`, `"./flows/${name}.ts"`));
  write(root, `test/${name}.test.ts`, read(root, `test/${name}.test.ts`).replace(`links/${name}.ts`, `links/flows/${name}.ts`));
}

/** Puts links `first` and `second` into one file, src/links/<file>.ts, updating imports. */
function mergeLinks(root: string, first: string, second: string, file: string): void {
  const body = read(root, `src/links/${second}.ts`).replace(/^import .*\n/gm, "");
  write(root, `src/links/${file}.ts`, `${read(root, `src/links/${first}.ts`)}${body}`);
  rmSync(path.join(root, `src/links/${first}.ts`));
  rmSync(path.join(root, `src/links/${second}.ts`));
  const [fi, si] = [`${first}Link`, `${second}Link`];
  write(root, "src/links/index.ts", read(root, "src/links/index.ts").replace(`import { ${fi} } from "./${first}.ts";\nimport { ${si} } from "./${second}.ts";`, `import { ${fi}, ${si} } from "./${file}.ts";`));
  for (const n of [first, second]) write(root, `test/${n}.test.ts`, read(root, `test/${n}.test.ts`).replace(`links/${n}.ts`, `links/${file}.ts`));
}

/** A user's own test that names a link in switchTask() (type-checked against LinkName like src/). */
const routingTest = (target: string) =>
  `import { expect, it } from "vitest";\nimport { switchTask } from "../src/taskchain/index.ts";\n\nit("switches", () => {\n  expect(switchTask(${JSON.stringify(target)}).name).toBe("switch_task");\n});\n`;

describe("chain", () => {
  it("--check is green after create and red, with the difference, after a hand edit", async () => {
    const root = await makeProject();
    const green = await check(root);
    expect(green.code).toBe(0);
    expect(green.out).toContain("chain.json is up to date (2 links: pin_vetting, schedule)");

    // The registry reordered by hand: chain.json is now stale.
    write(root, "src/links/index.ts", read(root, "src/links/index.ts").replace("  pinVettingLink,\n  scheduleLink,", "  scheduleLink,\n  pinVettingLink,"));
    const before = snapshot(root);
    const red = await check(root);
    expect(red.code).toBe(1);
    expect(red.err).toContain("chain.json is stale:");
    expect(red.err).toContain('-    "name": "pin_vetting",');
    expect(red.err).toContain('+    "name": "pin_vetting",');
    expect(snapshot(root)).toEqual(before); // --check writes nothing

    // `chain` rewrites it; then --check is green again.
    const fixed = await runCommand("chain", { cwd: root });
    expect(fixed.code).toBe(0);
    expect(read(root, "chain.json")).toBe(renderChainJson(["schedule", "pin_vetting"], "https://hooks.example.com"));
    expect((await check(root)).code).toBe(0);
  });

  it("reads the links without running them: top-level code in a link file has no effect", async () => {
    const root = await makeProject();
    const marker = path.join(root, "ran.txt");
    const sideEffect = `\nimport { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "ran");\nthrow new Error("link code ran");\n`;
    write(root, "src/links/schedule.ts", read(root, "src/links/schedule.ts") + sideEffect);
    write(root, "src/links/index.ts", `${read(root, "src/links/index.ts")}${sideEffect}`);
    write(root, "chain.json", "[]\n");
    const ran = await runCommand("chain", { cwd: root });
    expect(ran.error?.message).toBeUndefined();
    expect(JSON.parse(read(root, "chain.json")).map((e: { name: string }) => e.name)).toEqual(["pin_vetting", "schedule"]);
    expect(existsSync(marker)).toBe(false);
  });

  it("--check is red when chain.json was edited or deleted by hand", async () => {
    const root = await makeProject();
    write(root, "chain.json", read(root, "chain.json").replace("hooks.example.com/schedule", "elsewhere.example.com/schedule"));
    const red = await check(root);
    expect(red.code).toBe(1);
    expect(red.err).toContain('+    "endpoint": "https://hooks.example.com/schedule"');
    write(root, "chain.json", "");
    expect((await check(root)).code).toBe(1);
  });

  it("judges and writes chain.json in its own layout (CRLF from a Windows checkout, 4-space indent)", async () => {
    const root = await makeProject();
    const crlf = read(root, "chain.json").replace(/\n/g, "\r\n");
    write(root, "chain.json", crlf);
    expect((await check(root)).code).toBe(0);
    expect((await runCommand("add-link", { cwd: root, name: "later" })).code).toBe(0);
    expect(read(root, "chain.json")).toBe(renderChainJson(["pin_vetting", "schedule", "later"], "https://hooks.example.com").replace(/\n/g, "\r\n"));
    expect((await check(root)).code).toBe(0);

    // A stale CRLF file: the difference shown is the changed entry, not every line.
    write(root, "chain.json", read(root, "chain.json").replace("hooks.example.com/later", "old.example.com/later"));
    const red = await check(root);
    expect(red.code).toBe(1);
    const changed = red.err.split("\n").filter((l) => /^[-+] /.test(l));
    expect(changed).toEqual(['-    "endpoint": "https://old.example.com/later"\r', '+    "endpoint": "https://hooks.example.com/later"\r']);
    expect((await runCommand("chain", { cwd: root })).code).toBe(0);
    expect(read(root, "chain.json")).toBe(renderChainJson(["pin_vetting", "schedule", "later"], "https://hooks.example.com").replace(/\n/g, "\r\n"));

    const root2 = await makeProject();
    const four = `${JSON.stringify(JSON.parse(read(root2, "chain.json")), null, 4)}\n`;
    write(root2, "chain.json", four);
    expect((await check(root2)).code).toBe(0);
    expect((await runCommand("chain", { cwd: root2 })).out).toContain("chain.json was already up to date");
    expect(read(root2, "chain.json")).toBe(four);
  });

  it("--base-url writes the endpoints from that base and makes it the project's", async () => {
    const root = await makeProject();
    expect((await check(root, { baseUrl: "https://prod.example.com/hooks" })).code).toBe(1);
    const pkg = read(root, "package.json");
    expect((await runCommand("chain", { cwd: root, baseUrl: "https://prod.example.com/hooks/" })).code).toBe(0);
    expect(read(root, "chain.json")).toBe(renderChainJson(["pin_vetting", "schedule"], "https://prod.example.com/hooks"));
    expect(lineChanges(pkg, read(root, "package.json"))).toEqual({
      removed: ['    "baseUrl": "https://hooks.example.com",'],
      added: ['    "baseUrl": "https://prod.example.com/hooks",'],
    });
    expect((await check(root)).code).toBe(0);
    expect((await runCommand("add-link", { cwd: root, name: "later" })).code).toBe(0);
    expect(read(root, "chain.json")).toContain('"endpoint": "https://prod.example.com/hooks/later"');
    expect((await check(root)).code).toBe(0);
  });

  it("--base-url is refused, with nothing written, when it carries a token or credentials, and is written as create writes it", async () => {
    const root = await makeProject();
    // A token in the query would land in chain.json and package.json, as "…/?token=SECRET/pin_vetting".
    await expectRefused(root, "chain", { baseUrl: "https://h.example.com/?token=SECRET" }, /^--base-url must not carry a query/);
    await expectRefused(root, "chain", { baseUrl: "https://h.example.com/#x" }, /^--base-url must not carry a query or #fragment/);
    await expectRefused(root, "chain", { baseUrl: "https://user:pw@h.example.com" }, /^--base-url must not carry a user name or password/);
    await expectRefused(root, "chain", { baseUrl: "ftp://h.example.com" }, /^--base-url must start with http/);
    // Percent-encoded, lowercased, without trailing slashes: chain.json endpoints are URLs a client sends as they are.
    expect((await runCommand("chain", { cwd: root, baseUrl: " https://H.example.com/a b/ " })).code).toBe(0);
    expect(read(root, "chain.json")).toBe(renderChainJson(["pin_vetting", "schedule"], "https://h.example.com/a%20b"));
    expect(JSON.parse(read(root, "package.json")).taskchain.baseUrl).toBe("https://h.example.com/a%20b");
    expect((await check(root)).code).toBe(0);
    // A hand-edited package.json is held to the same rules by every command that writes endpoints.
    write(root, "package.json", read(root, "package.json").replace('"baseUrl": "https://h.example.com/a%20b"', '"baseUrl": "https://hooks.example.com?token=SECRET"'));
    await expectRefused(root, "add-link", { name: "later" }, /^package\.json "taskchain"\.baseUrl must not carry a query/);
  });

  it("reads names from the link files, through aliases, re-exports and hand-renamed links", async () => {
    const root = await makeProject();
    write(root, "src/links/index.ts", fixture("alias.index.ts.txt").replace('"schedule"', '"booking"'));
    write(root, "src/links/schedule.ts", read(root, "src/links/schedule.ts").replace('export const scheduleLink = defineLink({\n  name: "schedule",', 'const booking = defineLink({\n  name: "booking",') + "export { booking as scheduleLink };\n");
    expect((await runCommand("chain", { cwd: root })).code).toBe(0);
    expect(JSON.parse(read(root, "chain.json")).map((e: { name: string }) => e.name)).toEqual(["pin_vetting", "booking"]);
    expect((await check(root)).code).toBe(0);
  });

  it("reports switchTask() targets that are not links (file:line) and a LinkName that disagrees", async () => {
    const root = await makeProject();
    useSwitchTask(root, "src/links/pin_vetting.ts", "nowhere");
    const red = await check(root);
    expect(red.code).toBe(1);
    expect(red.err).toContain('src/links/pin_vetting.ts:30: switchTask("nowhere") — "nowhere" is not a link of the chain');
    write(root, "test/routing.test.ts", routingTest("gone"));
    expect((await check(root)).err).toContain('test/routing.test.ts:5: switchTask("gone") — "gone" is not a link of the chain');
    // Imported under another name.
    write(root, "test/routing.test.ts", routingTest("gone").replace("import { switchTask }", "import { switchTask as goTo }").replace("switchTask(", "goTo("));
    expect((await check(root)).err).toContain('test/routing.test.ts:5: switchTask("gone") — "gone" is not a link of the chain');

    const root2 = await makeProject();
    write(root2, "src/links/index.ts", read(root2, "src/links/index.ts").replace('  "schedule",\n', '  "scheduling",\n'));
    const red2 = await check(root2);
    expect(red2.code).toBe(1);
    expect(red2.err).toContain('LinkName in src/links/index.ts lacks "schedule"');
    expect(red2.err).toContain('LinkName in src/links/index.ts lists "scheduling", which is not a link of the chain');
    // `chain` brings LinkName back in line.
    expect((await runCommand("chain", { cwd: root2 })).code).toBe(0);
    expect(read(root2, "src/links/index.ts")).toContain('  "pin_vetting",\n  "schedule",\n];');
    expect((await check(root2)).code).toBe(0);
  });

  it("links exported as default (`export default bLink`, `export default defineLink(…)`): read, renamed, removed", async () => {
    const root = await makeProject(["a", "b", "c"]);
    write(root, "src/links/b.ts", `${read(root, "src/links/b.ts").replace("export const bLink = defineLink", "const bLink = defineLink")}export default bLink;\n`);
    write(root, "src/links/c.ts", read(root, "src/links/c.ts").replace("export const cLink = defineLink", "export default defineLink"));
    write(root, "src/links/index.ts", read(root, "src/links/index.ts").replace("import { bLink } from", "import bLink from").replace("import { cLink } from", "import third from").replace("  cLink,", "  third,"));
    write(root, "test/b.test.ts", read(root, "test/b.test.ts").replace("import { bLink } from", "import bLink from"));
    write(root, "test/c.test.ts", read(root, "test/c.test.ts").replace("import { cLink } from", "import cLink from"));
    expect((await check(root)).code).toBe(0);

    expect((await runCommand("add-link", { cwd: root, name: "d", after: "c" })).code).toBe(0);
    const renamed = await runCommand("rename-link", { cwd: root, from: "b", to: "bee" });
    expect(renamed.error?.message).toBeUndefined();
    expect(read(root, "src/links/index.ts")).toContain('import bLink from "./bee.ts";');
    expect(read(root, "src/links/bee.ts")).toContain('const bLink = defineLink({\n  name: "bee",');
    expect(read(root, "test/bee.test.ts")).toContain('import bLink from "../src/links/bee.ts";');
    expect((await check(root)).code).toBe(0);

    const before = read(root, "src/links/index.ts");
    const removed = await runCommand("remove-link", { cwd: root, name: "c" });
    expect(removed.error?.message).toBeUndefined();
    expect(lineChanges(before, read(root, "src/links/index.ts"))).toEqual({ added: [], removed: ['import third from "./c.ts";', "  third,", '  "c",'] });
    expect(existsSync(path.join(root, "src/links/c.ts")) || existsSync(path.join(root, "test/c.test.ts"))).toBe(false);
    expect((await check(root)).code).toBe(0);
  });

  it("a registry split across files: chain, rename-link and remove-link edit the file that holds each part", async () => {
    const root = await makeProject(["pin_vetting", "schedule", "wrap_up"]);
    const names = fixture("split-names.names.ts.txt").replace('  | "schedule";', '  | "schedule"\n  | "wrap_up";');
    write(root, "src/links/index.ts", fixture("split-names.index.ts.txt").replace("  scheduleLink,\n", '  scheduleLink,\n  wrapUpLink,\n').replace('import { scheduleLink } from "./schedule.ts";', 'import { scheduleLink } from "./schedule.ts";\nimport { wrapUpLink } from "./wrap_up.ts";'));
    write(root, "src/links/names.ts", names);
    expect((await check(root)).code).toBe(0);

    // LinkName out of line in names.ts: reported there, and `chain` fixes it there.
    write(root, "src/links/names.ts", names.replace('  | "wrap_up";', '  | "wrapup";'));
    const red = await check(root);
    expect(red.err).toContain('LinkName in src/links/names.ts lacks "wrap_up"');
    expect(red.err).toContain('LinkName in src/links/names.ts lists "wrapup"');
    expect((await runCommand("chain", { cwd: root })).out).toContain("updated src/links/names.ts");
    expect(read(root, "src/links/names.ts")).toBe(names);

    expect((await runCommand("rename-link", { cwd: root, from: "schedule", to: "booking" })).code).toBe(0);
    expect(read(root, "src/links/names.ts")).toBe(names.replace('"schedule"', '"booking"'));
    expect(read(root, "src/links/index.ts")).toContain('import { bookingLink } from "./booking.ts";');
    expect((await runCommand("remove-link", { cwd: root, name: "booking" })).code).toBe(0);
    expect(read(root, "src/links/names.ts")).toBe(names.replace('  | "schedule"\n', ""));
    expect(read(root, "src/links/index.ts")).not.toContain("booking");
    expect((await check(root)).code).toBe(0);

    const root2 = await makeProject();
    write(root2, "src/links/index.ts", fixture("split-chain.index.ts.txt"));
    write(root2, "src/links/chain.ts", fixture("split-chain.chain.ts.txt"));
    expect((await runCommand("remove-link", { cwd: root2, name: "pin_vetting" })).code).toBe(0);
    expect(read(root2, "src/links/chain.ts")).toBe(fixture("split-chain.chain.ts.txt").replace('import { pinVettingLink } from "./pin_vetting.ts";\n', "").replace("[pinVettingLink, scheduleLink]", "[scheduleLink]"));
    expect(read(root2, "src/links/index.ts")).toContain('export type LinkNames = ["schedule"];');
    expect((await check(root2)).code).toBe(0);
    // A chain re-exported from a module that does not declare it: one clear line, naming that file.
    write(root2, "src/links/chain.ts", 'import { scheduleLink } from "./schedule.ts";\nexport const chain = build();\nfunction build() {\n  return [scheduleLink] as const;\n}\n');
    await expectRefused(root2, "add-link", { name: "x" }, /^cannot find the chain in src\/links\/chain\.ts \(expected/);
  });

  it("the chain in another file: src/links/index.ts importing the link counts as a reference, as any file does", async () => {
    const split = (root: string) => {
      write(root, "src/links/index.ts", `${fixture("split-chain.index.ts.txt")}export { pinVettingLink } from "./pin_vetting.ts";\n`);
      write(root, "src/links/chain.ts", fixture("split-chain.chain.ts.txt"));
    };
    const root = await makeProject();
    split(root);
    expect((await check(root)).code).toBe(0);
    await expectRefused(root, "remove-link", { name: "pin_vetting" }, /^"pin_vetting" is still referenced: src\/links\/index\.ts:12 imports src\/links\/pin_vetting\.ts — change those first, or pass --force$/);

    // rename-link rewrites it, as it does any other file's import.
    expect((await runCommand("rename-link", { cwd: root, from: "pin_vetting", to: "pv" })).code).toBe(0);
    expect(read(root, "src/links/index.ts")).toContain('\nexport { pvLink } from "./pv.ts";\n');
    expect(read(root, "src/links/chain.ts")).toContain('import { pvLink } from "./pv.ts";');
    expect((await check(root)).code).toBe(0);

    // The same in the chain's own file: the entry's import and the re-export both follow the move.
    const root2 = await makeProject();
    write(root2, "src/links/index.ts", `${read(root2, "src/links/index.ts")}export { pinVettingLink as first } from "./pin_vetting.ts";\n`);
    expect((await runCommand("rename-link", { cwd: root2, from: "pin_vetting", to: "pv" })).code).toBe(0);
    expect(read(root2, "src/links/index.ts")).toContain('import { pvLink } from "./pv.ts";');
    expect(read(root2, "src/links/index.ts")).toContain('\nexport { pvLink as first } from "./pv.ts";\n');
  });

  it("refuses a registry it cannot read, with one line", async () => {
    const root = await makeProject();
    write(root, "src/links/index.ts", fixture("syntax-error.index.ts.txt"));
    await expectRefused(root, "chain", {}, /syntax error/);
    write(root, "src/links/index.ts", 'import { pinVettingLink } from "./pin_vetting.ts";\nexport const chain = [pinVettingLink, makeLink()] as const;\n');
    await expectRefused(root, "chain", {}, /cannot read the chain entry `makeLink\(\)` \(src\/links\/index\.ts:2\) statically/);
  });
});

describe("remove-link", () => {
  it("removes the entry, import, LinkName member, files and chain.json entry; check stays green", async () => {
    const root = await makeProject(["a", "b", "c"]);
    const before = snapshot(root);
    const ran = await runCommand("remove-link", { cwd: root, name: "b" });
    expect(ran.code).toBe(0);
    const after = snapshot(root);
    expect([...before.keys()].filter((k) => !after.has(k)).sort()).toEqual(["src/links/b.ts", "test/b.test.ts"]);
    expect(lineChanges(before.get("src/links/index.ts")!, after.get("src/links/index.ts")!)).toEqual({ added: [], removed: ['import { bLink } from "./b.ts";', "  bLink,", '  "b",'] });
    expect(after.get("chain.json")).toBe(renderChainJson(["a", "c"], "https://hooks.example.com"));
    expect((await check(root)).code).toBe(0);
  });

  it("keeps the user's style when removing from an inline registry and the last of a no-trailing-comma list", async () => {
    const root = await makeProject();
    write(root, "src/links/index.ts", fixture("inline.index.ts.txt"));
    expect((await runCommand("remove-link", { cwd: root, name: "schedule" })).code).toBe(0);
    const text = read(root, "src/links/index.ts");
    expect(text).toContain("export const chain = [pinVettingLink] as const satisfies readonly Link[]\n");
    expect(text).toContain("export type LinkName = 'pin_vetting'\n");
    expect(text).not.toContain("schedule");

    const root2 = await makeProject();
    write(root2, "src/links/index.ts", fixture("alias.index.ts.txt"));
    expect((await runCommand("remove-link", { cwd: root2, name: "schedule" })).code).toBe(0);
    expect(read(root2, "src/links/index.ts")).toContain("const links = [\n\tpinVettingLink\n] as const;");
    expect(read(root2, "src/links/index.ts")).toContain('export type LinkName =\n\t| "pin_vetting"\n\t;');
    expect((await check(root2)).code).toBe(0);
  });

  it("refuses while switchTask() references remain, listing them; --force removes anyway", async () => {
    const root = await makeProject();
    useSwitchTask(root, "src/links/pin_vetting.ts", "schedule");
    write(root, "test/routing.test.ts", routingTest("schedule"));
    await expectRefused(root, "remove-link", { name: "schedule" }, /^"schedule" is still referenced: src\/links\/pin_vetting\.ts:30 switchTask\("schedule"\); test\/routing\.test\.ts:5 switchTask\("schedule"\) — change those first, or pass --force$/);
    const forced = await runCommand("remove-link", { cwd: root, name: "schedule", force: true });
    expect(forced.code).toBe(0);
    expect(forced.err).toContain('src/links/pin_vetting.ts:30 switchTask("schedule")');
    expect(read(root, "src/links/index.ts")).not.toContain("schedule");
  });

  it("follows a barrel file, and refuses to remove a link it still imports", async () => {
    const root = await makeProject(["a", "b", "c"]);
    write(root, "src/links/all.ts", 'export { aLink } from "./a.ts";\nexport { bLink } from "./b.ts";\n');
    write(root, "src/links/index.ts", read(root, "src/links/index.ts").replace('import { aLink } from "./a.ts";\nimport { bLink } from "./b.ts";', 'import { aLink, bLink } from "./all.ts";'));
    expect((await check(root)).code).toBe(0);
    await expectRefused(root, "remove-link", { name: "b" }, /^"b" is still referenced: src\/links\/all\.ts:2 imports src\/links\/b\.ts — change those first, or pass --force$/);
  });

  it("removes one name from an import that brings several", async () => {
    const root = await makeProject(["a", "b", "c"]);
    write(root, "src/links/all.ts", 'export { aLink } from "./a.ts";\nexport { bLink } from "./b.ts";\n');
    write(root, "src/links/index.ts", read(root, "src/links/index.ts").replace('import { aLink } from "./a.ts";\nimport { bLink } from "./b.ts";', 'import { aLink, bLink } from "./all.ts";'));
    const ran = await runCommand("remove-link", { cwd: root, name: "b", force: true });
    expect(ran.code).toBe(0);
    expect(ran.err).toContain("src/links/all.ts:2 imports src/links/b.ts");
    expect(read(root, "src/links/index.ts")).toContain('import { aLink } from "./all.ts";\nimport { cLink } from "./c.ts";');
  });

  it("a link the user moved into a subfolder: its test goes with it", async () => {
    const root = await makeProject(["a", "b", "c"]);
    moveToSubfolder(root, "b");
    expect((await check(root)).code).toBe(0);
    const ran = await runCommand("remove-link", { cwd: root, name: "b" });
    expect(ran.error?.message).toBeUndefined();
    expect(ran.err).toBe("");
    const files = [...snapshot(root).keys()];
    expect(files.filter((f) => /\bb\b/.test(f))).toEqual([]);
    expect((await check(root)).code).toBe(0);
  });

  it("two links in one file: takes out the one definition, keeps the file and the other link's test", async () => {
    const root = await makeProject(["a", "b", "c"]);
    const a = read(root, "src/links/a.ts");
    mergeLinks(root, "a", "b", "ab");
    expect((await check(root)).code).toBe(0);

    // References to b: a switchTask() in the file that stays, an import of bLink elsewhere.
    write(root, "src/links/ab.ts", read(root, "src/links/ab.ts").replace("actions: [endCall()],", 'actions: [switchTask("b")],').replace("defineLink, endCall, nextTask", "defineLink, endCall, nextTask, switchTask"));
    write(root, "src/extra.ts", 'import { aLink } from "./links/ab.ts";\nimport { bLink } from "./links/ab.ts";\nexport const both = [aLink, bLink];\n');
    await expectRefused(root, "remove-link", { name: "b" }, /^"b" is still referenced: src\/links\/ab\.ts:30 switchTask\("b"\); src\/extra\.ts:2 imports bLink from src\/links\/ab\.ts — change those first/);
    write(root, "src/links/ab.ts", read(root, "src/links/ab.ts").replace('actions: [switchTask("b")],', "actions: [endCall()],").replace(", switchTask", ""));
    write(root, "src/extra.ts", 'import { aLink } from "./links/ab.ts";\nexport const first = aLink;\n');

    const before = snapshot(root);
    const ran = await runCommand("remove-link", { cwd: root, name: "b" });
    expect(ran.error?.message).toBeUndefined();
    expect(ran.err).toBe("");
    const after = snapshot(root);
    expect([...before.keys()].filter((k) => !after.has(k))).toEqual(["test/b.test.ts"]);
    expect(after.get("src/links/ab.ts")).toBe(a);
    expect(after.get("test/a.test.ts")).toBe(before.get("test/a.test.ts"));
    expect(lineChanges(before.get("src/links/index.ts")!, after.get("src/links/index.ts")!)).toEqual({
      removed: ['import { aLink, bLink } from "./ab.ts";', "  bLink,", '  "b",'],
      added: ['import { aLink } from "./ab.ts";'],
    });
    expect((await check(root)).code).toBe(0);
  });

  it("a link defined in the registry itself: its definition goes with its entry", async () => {
    const root = await makeProject();
    write(root, "src/links/index.ts", fixture("defined-inline.index.ts.txt"));
    expect((await runCommand("chain", { cwd: root })).code).toBe(0);
    // greeting hands over to pin_vetting: that switchTask() goes away with it, so it is no reference.
    const before = snapshot(root);
    const ran = await runCommand("remove-link", { cwd: root, name: "greeting" });
    expect(ran.error?.message).toBeUndefined();
    expect(ran.err).toBe("");
    const text = read(root, "src/links/index.ts");
    expect(text).toBe(
      before
        .get("src/links/index.ts")!
        .replace(/\/\/ Too small[^]*?\n\}\);\n\n/, "")
        .replace("  greetingLink,\n", "")
        .replace('  "greeting",\n', ""),
    );
    expect(text).toContain('import { scheduleLink } from "./schedule.ts";\n\nexport const chain = [\n  pinVettingLink,');
    expect((await check(root)).code).toBe(0);

    // Used elsewhere in the registry: refused, nothing changed.
    write(root, "src/links/index.ts", `${fixture("defined-inline.index.ts.txt")}export const opening = greetingLink;\n`);
    await expectRefused(root, "remove-link", { name: "greeting" }, /^cannot take the definition of "greeting" out of src\/links\/index\.ts: src\/links\/index\.ts:\d+ uses greetingLink; remove it there by hand/);
  });

  it("a link written inline in the chain array: renamed and removed there", async () => {
    const root = await makeProject();
    const inline = '  defineLink({\n    name: "hello",\n    parameters: {},\n    initial: () => ({ content: "Hi" }),\n    qualified: () => ({}),\n    disqualified: () => ({}),\n    interrupt: () => ({}),\n  }),\n';
    const registry = read(root, "src/links/index.ts")
      .replace('import { pinVettingLink }', 'import { defineLink } from "../taskchain/index.ts";\nimport { pinVettingLink }')
      .replace("  pinVettingLink,\n", `  pinVettingLink,\n${inline}`)
      .replace('  "pin_vetting",\n', '  "pin_vetting",\n  "hello",\n');
    write(root, "src/links/index.ts", registry);
    expect((await runCommand("chain", { cwd: root })).code).toBe(0);
    expect((await runCommand("rename-link", { cwd: root, from: "hello", to: "hey" })).code).toBe(0);
    expect(read(root, "src/links/index.ts")).toBe(registry.replace('name: "hello"', 'name: "hey"').replace('  "hello",', '  "hey",'));
    const ran = await runCommand("remove-link", { cwd: root, name: "hey" });
    expect(ran.error?.message).toBeUndefined();
    expect(read(root, "src/links/index.ts")).toBe(registry.replace(inline, "").replace('  "hello",\n', ""));
    expect((await check(root)).code).toBe(0);
  });

  it("refuses an unknown link, the last link, and a link the registry uses elsewhere", async () => {
    const root = await makeProject(["only"]);
    await expectRefused(root, "remove-link", { name: "nope" }, /^no link "nope" in the chain \(links: only\)$/);
    await expectRefused(root, "remove-link", { name: "only" }, /only link of the chain/);
    const root2 = await makeProject();
    write(root2, "src/links/index.ts", `${read(root2, "src/links/index.ts")}export const entry = pinVettingLink;\n`);
    await expectRefused(root2, "remove-link", { name: "pin_vetting" }, /src\/links\/index\.ts:\d+ uses pinVettingLink outside the chain/);
  });
});

describe("rename-link", () => {
  it("renames registry, files, name, identifier, test import, chain.json and switchTask() references", async () => {
    const root = await makeProject(["pin_vetting", "schedule", "done"]);
    useSwitchTask(root, "src/links/pin_vetting.ts", "schedule");
    write(root, "test/routing.test.ts", routingTest("schedule"));
    write(root, "src/links/schedule.ts", `${read(root, "src/links/schedule.ts")}\n// keep scheduleLink's comment: schedule\nexport const extra = 1;\n`);
    const before = snapshot(root);
    const ran = await runCommand("rename-link", { cwd: root, from: "schedule", to: "booking" });
    expect(ran.error?.message).toBeUndefined();
    expect(ran.out).toContain("and 2 switchTask() references");
    const after = snapshot(root);
    expect(after.has("src/links/schedule.ts")).toBe(false);
    expect(after.has("test/schedule.test.ts")).toBe(false);
    const link = after.get("src/links/booking.ts")!;
    expect(link).toContain('export const bookingLink = defineLink({\n  name: "booking",');
    expect(link).toContain("// keep scheduleLink's comment: schedule\nexport const extra = 1;\n");
    expect(lineChanges(before.get("src/links/schedule.ts")!, link)).toEqual({
      removed: ["export const scheduleLink = defineLink({", '  name: "schedule",'],
      added: ["export const bookingLink = defineLink({", '  name: "booking",'],
    });
    expect(after.get("test/booking.test.ts")).toBe(before.get("test/schedule.test.ts")!.replaceAll("scheduleLink", "bookingLink").replace("links/schedule.ts", "links/booking.ts"));
    expect(after.get("src/links/pin_vetting.ts")).toBe(before.get("src/links/pin_vetting.ts")!.replace('switchTask("schedule")', 'switchTask("booking")'));
    expect(after.get("test/routing.test.ts")).toBe(routingTest("booking"));
    expect(lineChanges(before.get("src/links/index.ts")!, after.get("src/links/index.ts")!)).toEqual({
      removed: ['import { scheduleLink } from "./schedule.ts";', "  scheduleLink,", '  "schedule",'],
      added: ['import { bookingLink } from "./booking.ts";', "  bookingLink,", '  "booking",'],
    });
    expect(after.get("chain.json")).toBe(renderChainJson(["pin_vetting", "booking", "done"], "https://hooks.example.com"));
    const green = await check(root);
    expect(green.err).toBe("");
    expect(green.code).toBe(0);
  });

  it("a link the user moved into a subfolder: file and test are renamed where they are", async () => {
    const root = await makeProject(["a", "b", "c"]);
    moveToSubfolder(root, "b");
    const before = snapshot(root);
    const ran = await runCommand("rename-link", { cwd: root, from: "b", to: "beta" });
    expect(ran.error?.message).toBeUndefined();
    const after = snapshot(root);
    expect([...after.keys()].filter((k) => !before.has(k)).sort()).toEqual(["src/links/flows/beta.ts", "test/beta.test.ts"]);
    expect([...before.keys()].filter((k) => !after.has(k)).sort()).toEqual(["src/links/flows/b.ts", "test/b.test.ts"]);
    expect(after.get("test/beta.test.ts")).toBe(before.get("test/b.test.ts")!.replaceAll("bLink", "betaLink").replace("links/flows/b.ts", "links/flows/beta.ts"));
    expect((await check(root)).code).toBe(0);
  });

  it("--dry-run shows the moved files' edits as diffs and writes nothing", async () => {
    const root = await makeProject();
    const before = snapshot(root);
    const ran = await runCommand("rename-link", { cwd: root, from: "schedule", to: "booking", dryRun: true });
    expect(ran.code).toBe(0);
    expect(snapshot(root)).toEqual(before);
    expect(ran.out).toContain("rename  src/links/schedule.ts → src/links/booking.ts\n--- a/src/links/schedule.ts\n+++ b/src/links/booking.ts\n");
    expect(ran.out).toContain('-export const scheduleLink = defineLink({\n-  name: "schedule",\n+export const bookingLink = defineLink({\n+  name: "booking",');
    expect(ran.out).toContain("--- a/src/links/index.ts\n+++ b/src/links/index.ts\n");
    expect(ran.out).toContain("(dry run: nothing was written)");
  });

  it("refuses a taken, invalid or unknown name, changing nothing", async () => {
    const root = await makeProject();
    await expectRefused(root, "rename-link", { from: "schedule", to: "pin_vetting" }, /link "pin_vetting" already exists/);
    await expectRefused(root, "rename-link", { from: "schedule", to: "Booking" }, /must start with a lowercase letter/);
    await expectRefused(root, "rename-link", { from: "nope", to: "booking" }, /^no link "nope" in the chain/);
    await expectRefused(root, "rename-link", { from: "schedule", to: "schedule" }, /already has that name/);
  });

  it("works on an inline registry and keeps its style", async () => {
    const root = await makeProject();
    write(root, "src/links/index.ts", fixture("inline.index.ts.txt"));
    const before = read(root, "src/links/index.ts");
    expect((await runCommand("rename-link", { cwd: root, from: "pin_vetting", to: "pin_check" })).code).toBe(0);
    const after = read(root, "src/links/index.ts");
    expect(after).toBe(before.replace("{ pinVettingLink } from './pin_vetting.ts'", "{ pinCheckLink } from './pin_check.ts'").replace("[pinVettingLink,", "[pinCheckLink,").replace("'pin_vetting' |", "'pin_check' |"));
    expect((await check(root)).code).toBe(0);
  });
});

describe("the README's chain section", () => {
  /** The links and endpoints the README's block lists, in order. */
  const listed = (root: string) => [...read(root, "README.md").matchAll(/^\| \d+ \| `(\w+)` \| `([^`]+)` \|$/gm)].map((m) => [m[1], m[2]]);
  const inChainJson = (root: string) => (JSON.parse(read(root, "chain.json")) as Array<{ name: string; endpoint: string }>).map((e) => [e.name, e.endpoint]);

  it("is written by create and kept equal to chain.json by add-link, rename-link, remove-link and chain --base-url", async () => {
    const root = await makeProject(["a", "b"]);
    expect(listed(root)).toEqual([["a", "https://hooks.example.com/a"], ["b", "https://hooks.example.com/b"]]);
    for (const [command, options] of [
      ["add-link", { name: "c", after: "a" }],
      ["rename-link", { from: "b", to: "bee" }],
      ["remove-link", { name: "a" }],
      ["chain", { baseUrl: "https://elsewhere.example.com/hooks" }],
    ] as const) {
      const ran = await runCommand(command, { cwd: root, yes: true, ...options });
      expect(ran.error?.message, command).toBeUndefined();
      expect(listed(root), command).toEqual(inChainJson(root));
      expect((await check(root)).code, command).toBe(0);
    }
    expect(listed(root)).toEqual([["c", "https://elsewhere.example.com/hooks/c"], ["bee", "https://elsewhere.example.com/hooks/bee"]]);
  });

  it("chain --check fails when it is stale and chain rewrites it; a README without the markers is left alone", async () => {
    const root = await makeProject(["a", "b"]);
    const fresh = read(root, "README.md");
    write(root, "README.md", fresh.replace("| 2 | `b` |", "| 2 | `old_link` |"));
    const stale = await check(root);
    expect(stale.code).toBe(1);
    expect(stale.err).toContain("README.md's chain section is stale");
    expect((await runCommand("chain", { cwd: root })).code).toBe(0);
    expect(read(root, "README.md")).toBe(fresh);

    write(root, "README.md", "# my own notes\n");
    expect((await runCommand("add-link", { cwd: root, name: "c", yes: true })).error).toBeUndefined();
    expect(read(root, "README.md")).toBe("# my own notes\n");
    expect((await check(root)).code).toBe(0);
  });
});

describe("chain --print", () => {
  it("prints chain.json from the code, with ?token= from the environment or .env only when asked, and writes nothing", async () => {
    const root = await makeProject(["a", "b"]);
    const before = snapshot(root);
    const plain = await runCommand("chain", { cwd: root, print: true });
    expect(plain.code).toBe(0);
    expect(plain.out).toBe(read(root, "chain.json"));

    write(root, ".env", "TASKCHAIN_TOKEN=from file&more\n");
    const fromFile = await runCommand("chain", { cwd: root, print: true, withToken: true });
    expect(JSON.parse(fromFile.out)).toEqual([
      { name: "a", endpoint: "https://hooks.example.com/a?token=from+file%26more" },
      { name: "b", endpoint: "https://hooks.example.com/b?token=from+file%26more" },
    ]);
    vi.stubEnv("TASKCHAIN_TOKEN", "from-env");
    try {
      const fromEnv = await runCommand("chain", { cwd: root, print: true, withToken: true });
      expect((JSON.parse(fromEnv.out) as Array<{ endpoint: string }>)[0]!.endpoint).toBe("https://hooks.example.com/a?token=from-env");
    } finally {
      vi.unstubAllEnvs();
    }
    rmSync(path.join(root, ".env"));
    expect(snapshot(root)).toEqual(before);
    await expectRefused(root, "chain", { print: true, withToken: true }, /^--with-token: TASKCHAIN_TOKEN is not set in the environment, \.env or \.dev\.vars$/);
    await expectRefused(root, "chain", { withToken: true }, /^--with-token goes with --print/);
  });
});

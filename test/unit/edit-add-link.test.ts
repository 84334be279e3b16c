// add-link on generated projects and on registries users rewrote: only the intended insertions.
import { describe, expect, it } from "vitest";
import { renderChainJson } from "../../src/generate/project.js";
import { withChainBlock } from "../../src/generate/readme-chain.js";
import { graphOf, templateRoutes } from "../../src/generate/chain-graph.js";
import { expectRefused, filesReadDuring, fixture, insertedChunks, lineChanges, makeProject, read, runCommand, snapshot, write } from "./edit-helpers.js";

const NEW_FILES = ["src/links/book_slot.ts", "test/book_slot.test.ts"];

/** Runs add-link and checks: new files are the two link files; every other change is listed. */
async function addLink(root: string, options: Record<string, unknown>) {
  const before = snapshot(root);
  const ran = await runCommand("add-link", { cwd: root, name: "book_slot", ...options });
  expect(ran.error?.message).toBeUndefined();
  expect(ran.code).toBe(0);
  const after = snapshot(root);
  const created = [...after.keys()].filter((k) => !before.has(k)).sort();
  expect(created).toEqual(NEW_FILES);
  expect([...before.keys()].filter((k) => !after.has(k))).toEqual([]);
  const changed = [...before.keys()].filter((k) => before.get(k) !== after.get(k)).sort();
  expect(changed).toEqual(["README.md", "chain.json", "src/links/index.ts"]);
  return { before, after, ran };
}

async function expectCheckGreen(root: string): Promise<void> {
  const ran = await runCommand("chain", { cwd: root, check: true });
  expect(ran.error?.message).toBeUndefined();
  expect(ran.err).toBe("");
  expect(ran.code).toBe(0);
}

const chainEntryLines = (name: string) => ["  {", `    "name": "${name}",`, `    "endpoint": "https://hooks.example.com/${name}"`, "  },"];

describe("add-link on a freshly generated project", () => {
  it("appends by default: one import, one entry, one LinkName member, one chain.json entry", async () => {
    const root = await makeProject();
    await expectCheckGreen(root);
    const { before, after } = await addLink(root, {});
    const reg = lineChanges(before.get("src/links/index.ts")!, after.get("src/links/index.ts")!);
    expect(reg.removed).toEqual([]);
    expect(reg.added).toEqual(['import { bookSlotLink } from "./book_slot.ts";', "  bookSlotLink,", '  "book_slot",']);
    const chain = lineChanges(before.get("chain.json")!, after.get("chain.json")!);
    expect(chain.removed).toEqual([]);
    expect(chain.added.sort()).toEqual(["  },", "  {", '    "name": "book_slot",', '    "endpoint": "https://hooks.example.com/book_slot"'].sort());
    expect(after.get("chain.json")).toBe(renderChainJson(["pin_vetting", "schedule", "book_slot"], "https://hooks.example.com"));
    expect(after.get("src/links/book_slot.ts")).toContain('name: "book_slot"');
    await expectCheckGreen(root);
  });

  it("--after and --before place the link, its import and its LinkName member", async () => {
    const root = await makeProject(["a", "b", "c"]);
    const { before, after } = await addLink(root, { after: "a" });
    const reg = after.get("src/links/index.ts")!;
    insertedChunks(before.get("src/links/index.ts")!, reg);
    expect(reg).toMatch(/import \{ aLink \} from "\.\/a\.ts";\nimport \{ bookSlotLink \} from "\.\/book_slot\.ts";\nimport \{ bLink \}/);
    expect(reg).toMatch(/ {2}aLink,\n {2}bookSlotLink,\n {2}bLink,/);
    expect(reg).toMatch(/ {2}"a",\n {2}"book_slot",\n {2}"b",/);
    expect(JSON.parse(after.get("chain.json")!).map((e: { name: string }) => e.name)).toEqual(["a", "book_slot", "b", "c"]);
    await expectCheckGreen(root);

    const ran = await runCommand("add-link", { cwd: root, name: "first_one", before: "a" });
    expect(ran.code).toBe(0);
    const reg2 = read(root, "src/links/index.ts");
    insertedChunks(reg, reg2);
    expect(reg2).toMatch(/import \{ firstOneLink \} from "\.\/first_one\.ts";\nimport \{ aLink \}/);
    expect(reg2).toMatch(/\[\n {2}firstOneLink,\n {2}aLink,/);
    expect(reg2).toMatch(/\[\n {2}"first_one",\n {2}"a",/);
    await expectCheckGreen(root);
  });

  it("takes parameters from flags", async () => {
    const root = await makeProject();
    await addLink(root, {
      qualified: ["timeslot:string:The timeslot selected by the user: morning or afternoon", "pin:string?:A PIN", "kind:enum(phone|visit)"],
      disqualified: ["why:string:Why not"],
      prompt: "Book a slot",
    });
    const src = read(root, "src/links/book_slot.ts");
    expect(src).toContain('timeslot: z.string().describe("The timeslot selected by the user: morning or afternoon"),');
    expect(src).toContain('pin: z.string().describe("A PIN").optional(),');
    expect(src).toContain('kind: z.enum(["phone", "visit"]),');
    expect(src).toContain('why: z.string().describe("Why not"),');
    expect(src).toContain('reason: z.string().describe("Reason for interruption."),');
    expect(src).toContain('content: "Book a slot",');
    expect(read(root, "test/book_slot.test.ts")).toContain('kind: "phone",');
  });

  it("--dry-run prints the new files and a unified diff, and writes nothing", async () => {
    const root = await makeProject();
    const before = snapshot(root);
    const ran = await runCommand("add-link", { cwd: root, name: "book_slot", dryRun: true });
    expect(ran.code).toBe(0);
    expect(snapshot(root)).toEqual(before);
    expect(ran.out).toContain("create  src/links/book_slot.ts");
    expect(ran.out).toContain("create  test/book_slot.test.ts");
    expect(ran.out).toContain("--- a/src/links/index.ts\n+++ b/src/links/index.ts\n");
    expect(ran.out).toContain("+  bookSlotLink,");
    expect(ran.out).toContain('+    "name": "book_slot",');
  });
});

describe("add-link on registries users rewrote", () => {
  it("comments, blank lines, extra imports and exports: the insertions alone", async () => {
    const root = await makeProject();
    write(root, "src/links/index.ts", fixture("comments.index.ts.txt"));
    const { before, after } = await addLink(root, {});
    const reg = lineChanges(before.get("src/links/index.ts")!, after.get("src/links/index.ts")!);
    expect(reg.removed).toEqual([]);
    expect(reg.added).toEqual(['import { bookSlotLink } from "./book_slot.ts";', "  bookSlotLink,", '  "book_slot",']);
    // Each lands after its neighbour, the comments staying where they were.
    expect(after.get("src/links/index.ts")).toContain('import { scheduleLink } from "./schedule.ts";\nimport { bookSlotLink } from "./book_slot.ts";\nimport type { Link }');
    expect(after.get("src/links/index.ts")).toContain("  scheduleLink, // books the slot\n  bookSlotLink,\n  // (more links will go here)\n] as const;");
    expect(lineChanges(before.get("chain.json")!, after.get("chain.json")!).removed).toEqual([]);
    await expectCheckGreen(root);
  });

  it("comments: --after the first link goes between the comment-laden entries", async () => {
    const root = await makeProject();
    write(root, "src/links/index.ts", fixture("comments.index.ts.txt"));
    const { before, after } = await addLink(root, { after: "pin_vetting" });
    const text = after.get("src/links/index.ts")!;
    expect(lineChanges(before.get("src/links/index.ts")!, text).removed).toEqual([]);
    expect(text).toContain("  pinVettingLink, // vetted callers only\n  bookSlotLink,\n\n  scheduleLink,");
    expect(text).toContain('  "pin_vetting", // first\n  "book_slot",\n  "schedule",');
    expect(text).toContain('import { pinVettingLink } from "./pin_vetting.ts";\nimport { bookSlotLink } from "./book_slot.ts";\n\n// scheduling comes last');
  });

  it("comments: --before the first link goes above that link's own comment", async () => {
    const root = await makeProject();
    write(root, "src/links/index.ts", fixture("comments.index.ts.txt"));
    const { before, after } = await addLink(root, { before: "pin_vetting" });
    const text = after.get("src/links/index.ts")!;
    expect(lineChanges(before.get("src/links/index.ts")!, text)).toEqual({
      removed: [],
      added: ['import { bookSlotLink } from "./book_slot.ts";', "  bookSlotLink,", '  "book_slot",'],
    });
    expect(text).toContain("export const chain = [\n  bookSlotLink,\n  // first: check the caller's PIN\n  pinVettingLink, // vetted callers only\n");
    expect(text).toContain('export type LinkNames = [\n  "book_slot",\n  "pin_vetting", // first\n');
    await expectCheckGreen(root);
  });

  it("one line, single quotes, no semicolons, satisfies, imports out of order: inserts in that style", async () => {
    const root = await makeProject();
    write(root, "src/links/index.ts", fixture("inline.index.ts.txt"));
    const { before, after } = await addLink(root, { before: "schedule" });
    const chunks = insertedChunks(before.get("src/links/index.ts")!, after.get("src/links/index.ts")!);
    expect(chunks.join("")).toContain("bookSlotLink");
    const text = after.get("src/links/index.ts")!;
    expect(text).toContain("export const chain = [pinVettingLink, bookSlotLink, scheduleLink] as const satisfies readonly Link[]\n");
    expect(text).toContain("export type LinkName = 'pin_vetting' | 'book_slot' | 'schedule'\n");
    expect(text).toContain("import { pinVettingLink } from './pin_vetting.ts'\nimport { bookSlotLink } from './book_slot.ts'\n");
    const lines = lineChanges(before.get("src/links/index.ts")!, text);
    expect(lines.added).toEqual([
      "import { bookSlotLink } from './book_slot.ts'",
      "export const chain = [pinVettingLink, bookSlotLink, scheduleLink] as const satisfies readonly Link[]",
      "export type LinkName = 'pin_vetting' | 'book_slot' | 'schedule'",
    ]);
    await expectCheckGreen(root);
  });

  it("an aliased array (`const links = [...]; export const chain = links`), tabs, no trailing comma", async () => {
    const root = await makeProject();
    write(root, "src/links/index.ts", fixture("alias.index.ts.txt"));
    const { before, after } = await addLink(root, {});
    const old = before.get("src/links/index.ts")!;
    const text = after.get("src/links/index.ts")!;
    insertedChunks(old, text);
    expect(lineChanges(old, text)).toEqual({
      removed: ["\tscheduleLink"],
      added: ['import { bookSlotLink } from "./book_slot.ts";', "\tscheduleLink,", "\tbookSlotLink", '\t| "book_slot"'],
    });
    expect(text).toContain("const links = [\n\tpinVettingLink,\n\tscheduleLink,\n\tbookSlotLink\n] as const;");
    expect(text).toContain('\t| "schedule"\n\t| "book_slot"\n\t;');
    await expectCheckGreen(root);
  });

  it("a link defined in the registry itself: read from there, left as written", async () => {
    const root = await makeProject();
    write(root, "src/links/index.ts", fixture("defined-inline.index.ts.txt"));
    expect((await runCommand("chain", { cwd: root })).code).toBe(0);
    const { before, after } = await addLink(root, { after: "greeting" });
    const old = before.get("src/links/index.ts")!;
    const text = after.get("src/links/index.ts")!;
    insertedChunks(old, text);
    expect(lineChanges(old, text).added).toEqual(['import { bookSlotLink } from "./book_slot.ts";', "  bookSlotLink,", '  "book_slot",']);
    expect(text).toContain("  greetingLink,\n  bookSlotLink,\n  pinVettingLink,");
    // Next to the import of its neighbour in the chain that has one.
    expect(text).toContain('import { bookSlotLink } from "./book_slot.ts";\nimport { pinVettingLink } from "./pin_vetting.ts";\n');
    await expectCheckGreen(root);
  });

  it("a registry split across files (the chain in chain.ts, LinkName in names.ts): each file gets its insertion", async () => {
    const root = await makeProject();
    write(root, "src/links/index.ts", fixture("split-chain.index.ts.txt"));
    write(root, "src/links/chain.ts", fixture("split-chain.chain.ts.txt"));
    await expectCheckGreen(root);
    let before = snapshot(root);
    let ran = await runCommand("add-link", { cwd: root, name: "book_slot", after: "pin_vetting" });
    expect(ran.error?.message).toBeUndefined();
    let after = snapshot(root);
    expect([...before.keys()].filter((k) => before.get(k) !== after.get(k)).sort()).toEqual(["README.md", "chain.json", "src/links/chain.ts", "src/links/index.ts"]);
    insertedChunks(before.get("src/links/chain.ts")!, after.get("src/links/chain.ts")!);
    expect(after.get("src/links/chain.ts")).toContain("export const chain = [pinVettingLink, bookSlotLink, scheduleLink] as const satisfies readonly Link[];");
    expect(lineChanges(before.get("src/links/index.ts")!, after.get("src/links/index.ts")!)).toEqual({
      removed: ['export type LinkNames = ["pin_vetting", "schedule"];'],
      added: ['export type LinkNames = ["pin_vetting", "book_slot", "schedule"];'],
    });
    insertedChunks(before.get("src/links/index.ts")!, after.get("src/links/index.ts")!);
    await expectCheckGreen(root);

    const root2 = await makeProject();
    write(root2, "src/links/index.ts", fixture("split-names.index.ts.txt"));
    write(root2, "src/links/names.ts", fixture("split-names.names.ts.txt"));
    await expectCheckGreen(root2);
    before = snapshot(root2);
    ran = await runCommand("add-link", { cwd: root2, name: "book_slot" });
    expect(ran.error?.message).toBeUndefined();
    after = snapshot(root2);
    expect([...before.keys()].filter((k) => before.get(k) !== after.get(k)).sort()).toEqual(["README.md", "chain.json", "src/links/index.ts", "src/links/names.ts"]);
    expect(lineChanges(before.get("src/links/names.ts")!, after.get("src/links/names.ts")!)).toEqual({ removed: ['  | "schedule";'], added: ['  | "schedule"', '  | "book_slot";'] });
    insertedChunks(before.get("src/links/names.ts")!, after.get("src/links/names.ts")!);
    expect(lineChanges(before.get("src/links/index.ts")!, after.get("src/links/index.ts")!)).toEqual({ removed: [], added: ['import { bookSlotLink } from "./book_slot.ts";', "  bookSlotLink,"] });
    await expectCheckGreen(root2);
  });

  it("the chain moved outside src/links/: the new import points from there to src/links/<name>.ts", async () => {
    const root = await makeProject();
    write(root, "src/links/index.ts", fixture("split-chain.index.ts.txt").replace('"./chain.ts"', '"../chain.ts"'));
    write(root, "src/chain.ts", fixture("split-chain.chain.ts.txt").replaceAll('"./', '"./links/').replace("../taskchain/", "./taskchain/"));
    await expectCheckGreen(root);
    const before = read(root, "src/chain.ts");
    expect((await runCommand("add-link", { cwd: root, name: "book_slot" })).code).toBe(0);
    expect(lineChanges(before, read(root, "src/chain.ts")).added).toEqual([
      'import { bookSlotLink } from "./links/book_slot.ts";',
      "export const chain = [pinVettingLink, scheduleLink, bookSlotLink] as const satisfies readonly Link[];",
    ]);
    await expectCheckGreen(root);
  });

  it("keeps CRLF line endings", async () => {
    const root = await makeProject();
    write(root, "src/links/index.ts", read(root, "src/links/index.ts").replace(/\n/g, "\r\n"));
    const { before, after } = await addLink(root, {});
    const text = after.get("src/links/index.ts")!;
    insertedChunks(before.get("src/links/index.ts")!, text);
    expect(text.replace(/\r\n/g, "")).not.toContain("\n");
    expect(text).toContain("  scheduleLink,\r\n  bookSlotLink,\r\n]");
  });

  it("a link renamed by hand (file schedule.ts now holds link booking): reads names from the link files", async () => {
    const root = await makeProject();
    write(root, "src/links/schedule.ts", read(root, "src/links/schedule.ts").replace('name: "schedule"', 'name: "booking"'));
    write(root, "src/links/index.ts", read(root, "src/links/index.ts").replace('"schedule",', '"booking",'));
    write(root, "chain.json", renderChainJson(["pin_vetting", "booking"], "https://hooks.example.com"));
    const graph = graphOf(["pin_vetting", "booking"], [...templateRoutes("pin_vetting"), ...templateRoutes("booking")]);
    write(root, "README.md", withChainBlock(read(root, "README.md"), read(root, "chain.json"), graph)!);
    await expectCheckGreen(root);
    const { before, after } = await addLink(root, { after: "booking" });
    const reg = lineChanges(before.get("src/links/index.ts")!, after.get("src/links/index.ts")!);
    expect(reg.removed).toEqual([]);
    expect(reg.added).toEqual(['import { bookSlotLink } from "./book_slot.ts";', "  bookSlotLink,", '  "book_slot",']);
    const chain = lineChanges(before.get("chain.json")!, after.get("chain.json")!);
    expect(chain.removed).toEqual([]);
    await expectCheckGreen(root);
    // "schedule" is no link name any more, but its file is still there.
    await expectRefused(root, "add-link", { name: "schedule" }, /src\/links\/schedule\.ts already exists/);
    await expectRefused(root, "add-link", { name: "x", after: "schedule" }, /--after schedule: no such link in the chain \(links: pin_vetting, booking, book_slot\)/);
  });

  it("code added to link files is not touched (add-link does not even read them)", async () => {
    const root = await makeProject();
    const extra = "\nexport function helper(): number {\n  return 42;\n}\n";
    write(root, "src/links/pin_vetting.ts", read(root, "src/links/pin_vetting.ts") + extra);
    await addLink(root, {});
    expect(read(root, "src/links/pin_vetting.ts").endsWith(extra)).toBe(true);
  });

  it("leaves a LinkName derived from something else alone", async () => {
    const root = await makeProject();
    const reg = read(root, "src/links/index.ts").replace(/export type LinkNames = \[[^\]]*\];\nexport type LinkName = LinkNames\[number\];/, 'export type LinkName = string & { readonly brand?: "link" };');
    write(root, "src/links/index.ts", reg);
    const { before, after } = await addLink(root, {});
    expect(lineChanges(before.get("src/links/index.ts")!, after.get("src/links/index.ts")!).added).toEqual(['import { bookSlotLink } from "./book_slot.ts";', "  bookSlotLink,"]);
  });
});

describe("add-link's cost does not grow with the program", () => {
  // What it reads: the project marker and the two files it edits. No link file, no test, no listing
  // of src/ (a type check would have to read them all).
  const READS = ["README.md", "package.json", "src/links/index.ts", "chain.json"];

  it("reads only the files it edits, on create's registry and on a hand-written one", async () => {
    for (const registry of [undefined, fixture("comments.index.ts.txt"), fixture("inline.index.ts.txt")]) {
      const root = await makeProject(["pin_vetting", "schedule"]);
      if (registry) write(root, "src/links/index.ts", registry);
      const reads = await filesReadDuring(root, async () => expect((await runCommand("add-link", { cwd: root, name: "book_slot", after: "pin_vetting" })).code).toBe(0));
      expect(reads.sort()).toEqual([...READS].sort());
    }
  });

  it("a split registry: reads the registry's files too, and still no link file", async () => {
    const root = await makeProject(["pin_vetting", "schedule"]);
    write(root, "src/links/index.ts", fixture("split-names.index.ts.txt"));
    write(root, "src/links/names.ts", fixture("split-names.names.ts.txt"));
    const reads = await filesReadDuring(root, async () => expect((await runCommand("add-link", { cwd: root, name: "book_slot" })).code).toBe(0));
    expect(reads.sort()).toEqual([...READS, "src/links/names.ts"].sort());
  });
});

describe("add-link refuses, changing nothing", () => {
  it("outside a taskchain project", async () => {
    const root = await makeProject();
    write(root, "package.json", JSON.stringify({ name: "plain" }));
    await expectRefused(root, "add-link", { name: "book_slot" }, /^not a taskchain project: .*package\.json has no "taskchain" key/);
  });

  it("no base URL configured: says where to set it (add-link has no --base-url)", async () => {
    const root = await makeProject();
    write(root, "package.json", read(root, "package.json").replace(/\n\s*"baseUrl": "[^"]*",/, ""));
    await expectRefused(root, "add-link", { name: "book_slot" }, /^no base URL: package\.json "taskchain"\.baseUrl is not set; set it \(like "https:\/\/hooks\.example\.com"\)$/);
    await expectRefused(root, "chain", {}, /^no base URL: .* or pass --base-url$/);
  });

  it("a name that exists, an invalid or reserved name, an identifier clash", async () => {
    const root = await makeProject();
    await expectRefused(root, "add-link", { name: "schedule" }, /link "schedule" already exists/);
    await expectRefused(root, "add-link", { name: "Book-Slot" }, /must start with a lowercase letter/);
    await expectRefused(root, "add-link", { name: "index" }, /reserved/);
    // Their identifiers are what every link file and test imports; "server" would be test/server.test.ts.
    for (const name of ["define", "describe", "server"]) await expectRefused(root, "add-link", { name }, /^link name "\w+" is reserved; pick another$/);
    await expectRefused(root, "add-link", { name: "pin__vetting" }, /both become the identifier pinVettingLink/);
  });

  it("--after / --before an unknown link, or both", async () => {
    const root = await makeProject();
    await expectRefused(root, "add-link", { name: "x", after: "nope" }, /^--after nope: no such link in the chain \(links: pin_vetting, schedule\)$/);
    await expectRefused(root, "add-link", { name: "x", before: "nope" }, /^--before nope: no such link/);
    await expectRefused(root, "add-link", { name: "x", after: "schedule", before: "schedule" }, /--after or --before, not both/);
  });

  it("a registry rewritten so the chain cannot be found", async () => {
    const root = await makeProject();
    write(root, "src/links/index.ts", fixture("unrecognisable.index.ts.txt"));
    await expectRefused(root, "add-link", { name: "x" }, /^cannot find the chain in src\/links\/index\.ts/);
    write(root, "src/links/index.ts", "export const links = [];\n");
    await expectRefused(root, "add-link", { name: "x" }, /^cannot find the chain/);
  });

  it("a registry with a syntax error", async () => {
    const root = await makeProject();
    write(root, "src/links/index.ts", fixture("syntax-error.index.ts.txt"));
    await expectRefused(root, "add-link", { name: "x" }, /^src\/links\/index\.ts:7: syntax error: /);
  });

  it("a bad parameter flag", async () => {
    const root = await makeProject();
    await expectRefused(root, "add-link", { name: "x", qualified: ["when:date:A date"] }, /--qualified "when:date:A date": unknown type "date"/);
    await expectRefused(root, "add-link", { name: "x", qualified: ["a:string", "a:number"] }, /parameter "a" is given twice/);
  });
});

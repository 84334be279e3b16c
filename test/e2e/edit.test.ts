// add-link / rename-link / remove-link / chain through the built CLI on projects made by `create`
// and then edited the way users edit them; the projects must still type-check and pass their tests.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { diffLines } from "diff";
import { describe, expect, it } from "vitest";
import { DEEP } from "../helpers/deep.js";
import { expectProjectGreen, expectTypeChecks, installProject, REPO, runCli, tempDir } from "../helpers/project.js";

const FIXTURES = path.join(REPO, "test/fixtures/edit");

function read(root: string, rel: string): string {
  return readFileSync(path.join(root, rel), "utf8");
}
function write(root: string, rel: string, text: string): void {
  writeFileSync(path.join(root, rel), text);
}
function lineChanges(before: string, after: string): { added: string[]; removed: string[] } {
  const added: string[] = [];
  const removed: string[] = [];
  for (const part of diffLines(before, after)) {
    const lines = part.value.replace(/\n$/, "").split("\n");
    if (part.added) added.push(...lines);
    if (part.removed) removed.push(...lines);
  }
  return { added, removed };
}

function cli(root: string, ...args: string[]) {
  const r = runCli([...args, "--cwd", root]);
  return r;
}
function ok(root: string, ...args: string[]) {
  const r = cli(root, ...args);
  expect(r.code, `${args.join(" ")}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
}
function checkGreen(root: string): void {
  const r = ok(root, "chain", "--check");
  expect(r.stderr).toBe("");
}

/** A step on the way: in the deep run it type-checks and passes its tests; the quick run does both at each test's last step. */
function greenSoFar(root: string): void {
  if (DEEP) expectProjectGreen(root);
}

function create(links: string): string {
  const root = path.join(tempDir("taskchain-edit-e2e-"), "app");
  const r = runCli([root, "--link", links, "--runtime", "node", "--yes", "--no-install", "--no-git"]);
  expect(r.code, r.stderr).toBe(0);
  return root;
}

describe("editing a created project", () => {
  it("comments, extra code and switchTask(): add, rename, remove keep it green, chain --check follows", () => {
    const root = create("pin_vetting,schedule");
    checkGreen(root);

    write(root, "src/links/index.ts", readFileSync(path.join(FIXTURES, "comments.index.ts.txt"), "utf8"));
    const pin = read(root, "src/links/pin_vetting.ts")
      .replace("defineLink, endCall, nextTask", "defineLink, endCall, nextTask, switchTask")
      .replace("actions: [endCall()],", 'actions: [switchTask("schedule")],');
    write(root, "src/links/pin_vetting.ts", `${pin}\n// Added by the user.\nexport function maskPin(pin: string): string {\n  return pin.replace(/./g, "*");\n}\n`);
    // The switch changes the chain's graph: the README's is stale until chain redraws it.
    const redrawn = cli(root, "chain", "--check");
    expect(redrawn.code).toBe(1);
    expect(redrawn.stderr).toContain('+  l_pin_vetting -->|"disqualified: switch_task"| l_schedule');
    ok(root, "chain");
    checkGreen(root);

    const before = { reg: read(root, "src/links/index.ts"), chain: read(root, "chain.json"), pin: read(root, "src/links/pin_vetting.ts") };
    const added = ok(root, "add-link", "book_slot", "--after", "pin_vetting", "--qualified", "timeslot:string:The timeslot selected by the user: am or pm", "--qualified", "pin:string?:A PIN", "--qualified", "kind:enum(phone|visit)");
    expect(added.stdout).toContain("pin_vetting → book_slot → schedule");
    expect(lineChanges(before.reg, read(root, "src/links/index.ts"))).toEqual({
      removed: [],
      added: ['import { bookSlotLink } from "./book_slot.ts";', "  bookSlotLink,", '  "book_slot",'],
    });
    const chain = lineChanges(before.chain, read(root, "chain.json"));
    expect(chain.removed).toEqual([]);
    expect(chain.added.sort()).toEqual(["  {", "  },", '    "name": "book_slot",', '    "endpoint": "https://your-webhook.example.com/book_slot"'].sort());
    expect(read(root, "src/links/pin_vetting.ts")).toBe(before.pin);
    checkGreen(root);

    installProject(root);
    greenSoFar(root);

    ok(root, "rename-link", "schedule", "booking");
    expect(read(root, "src/links/pin_vetting.ts")).toContain('switchTask("booking")');
    checkGreen(root);
    const refused = cli(root, "remove-link", "booking");
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe('create-taskchain: "booking" is still referenced: src/links/pin_vetting.ts:30 switchTask("booking") — change those first, or pass --force');
    ok(root, "remove-link", "book_slot");
    checkGreen(root);
    expectProjectGreen(root);

    // A hand edit makes chain.json stale: red, with the difference.
    write(root, "chain.json", read(root, "chain.json").replace('"name": "booking"', '"name": "schedule"'));
    const red = cli(root, "chain", "--check");
    expect(red.code).toBe(1);
    expect(red.stderr).toContain('-    "name": "schedule",');
    expect(red.stderr).toContain('+    "name": "booking",');
    ok(root, "chain");
    checkGreen(root);
  });

  it("straight after create: add first and last, rename, remove; green throughout", () => {
    const root = create("pin_vetting,schedule");
    checkGreen(root);
    const before = read(root, "src/links/index.ts");
    ok(root, "add-link", "greeting", "--before", "pin_vetting", "--prompt", "Greet the caller", "--interrupt", "where:enum(start|middle)?:Where they hung up");
    ok(root, "add-link", "wrap_up", "--qualified", "rating:integer:A rating from 1 to 5", "--qualified", "happy:boolean?:Happy?");
    expect(lineChanges(before, read(root, "src/links/index.ts"))).toEqual({
      removed: [],
      added: [
        'import { greetingLink } from "./greeting.ts";',
        'import { wrapUpLink } from "./wrap_up.ts";',
        "  greetingLink,",
        "  wrapUpLink,",
        '  "greeting",',
        '  "wrap_up",',
      ],
    });
    checkGreen(root);
    installProject(root);
    greenSoFar(root);
    ok(root, "rename-link", "wrap_up", "goodbye");
    ok(root, "remove-link", "greeting");
    checkGreen(root);
    expectProjectGreen(root);
  });

  it("an aliased, tab-indented registry and a link renamed by hand: add-link inserts in that style and stays green", () => {
    const root = create("pin_vetting,schedule");
    write(root, "src/links/index.ts", readFileSync(path.join(FIXTURES, "alias.index.ts.txt"), "utf8").replace('"schedule"', '"booking"'));
    write(root, "src/links/schedule.ts", read(root, "src/links/schedule.ts").replace('name: "schedule"', 'name: "booking"').replace("state: { schedule: context }", "state: { booking: context }"));
    const stale = cli(root, "chain", "--check");
    expect(stale.code).toBe(1);
    ok(root, "chain");
    checkGreen(root);
    const before = read(root, "src/links/index.ts");
    ok(root, "add-link", "book_slot", "--before", "booking");
    expect(lineChanges(before, read(root, "src/links/index.ts"))).toEqual({
      removed: [],
      added: ['import { bookSlotLink } from "./book_slot.ts";', "\tbookSlotLink,", '\t| "book_slot"'],
    });
    ok(root, "add-link", "wrap_up");
    checkGreen(root);
    installProject(root);
    expectProjectGreen(root);
  });

  it("a one-line registry with `satisfies`, single quotes and no semicolons", () => {
    const root = create("pin_vetting,schedule");
    write(root, "src/links/index.ts", readFileSync(path.join(FIXTURES, "inline.index.ts.txt"), "utf8"));
    checkGreen(root);
    ok(root, "add-link", "book_slot", "--dry-run");
    ok(root, "add-link", "book_slot", "--before", "pin_vetting");
    expect(read(root, "src/links/index.ts")).toContain("export const chain = [bookSlotLink, pinVettingLink, scheduleLink] as const satisfies readonly Link[]\n");
    ok(root, "rename-link", "pin_vetting", "pin_check");
    ok(root, "remove-link", "schedule");
    checkGreen(root);
    installProject(root);
    expectProjectGreen(root);
  });

  it("links defined in the registry, two in one file, a default export, one in a subfolder, switchTask() in a test: add, rename, remove stay green", () => {
    const root = create("pin_vetting,schedule,a,b,c,d");
    // greeting: defined in the registry itself.
    write(
      root,
      "src/links/index.ts",
      readFileSync(path.join(FIXTURES, "defined-inline.index.ts.txt"), "utf8")
        .replace('import { scheduleLink } from "./schedule.ts";', 'import { scheduleLink } from "./schedule.ts";\nimport { aLink, bLink } from "./ab.ts";\nimport third from "./c.ts";\nimport { dLink } from "./flows/d.ts";')
        .replace("  scheduleLink,\n] as const;", "  scheduleLink,\n  aLink,\n  bLink,\n  third,\n  dLink,\n] as const;")
        .replace('  "schedule",\n];', '  "schedule",\n  "a",\n  "b",\n  "c",\n  "d",\n];'),
    );
    // a and b: one file.
    write(root, "src/links/ab.ts", read(root, "src/links/a.ts") + read(root, "src/links/b.ts").replace(/^import .*\n/gm, ""));
    for (const f of ["a", "b"]) {
      rmSync(path.join(root, `src/links/${f}.ts`));
      write(root, `test/${f}.test.ts`, read(root, `test/${f}.test.ts`).replace(`links/${f}.ts`, "links/ab.ts"));
    }
    // c: a default export.
    write(root, "src/links/c.ts", read(root, "src/links/c.ts").replace("export const cLink = defineLink", "export default defineLink"));
    write(root, "test/c.test.ts", read(root, "test/c.test.ts").replace("import { cLink } from", "import cLink from"));
    // d: moved into a subfolder.
    mkdirSync(path.join(root, "src/links/flows"));
    write(root, "src/links/flows/d.ts", read(root, "src/links/d.ts").replace('"../taskchain/index.ts"', '"../../taskchain/index.ts"'));
    rmSync(path.join(root, "src/links/d.ts"));
    write(root, "test/d.test.ts", read(root, "test/d.test.ts").replace("links/d.ts", "links/flows/d.ts"));
    // The user's own test names link b.
    write(root, "test/routing.test.ts", 'import { expect, it } from "vitest";\nimport { switchTask } from "../src/taskchain/index.ts";\n\nit("switches", () => {\n  expect(switchTask("b").name).toBe("switch_task");\n});\n');
    ok(root, "chain");
    checkGreen(root);
    installProject(root);
    greenSoFar(root);

    ok(root, "add-link", "wrap_up", "--after", "greeting");
    ok(root, "rename-link", "b", "bee");
    expect(read(root, "test/routing.test.ts")).toContain('switchTask("bee")');
    ok(root, "rename-link", "c", "sea");
    ok(root, "rename-link", "d", "dee");
    expect(existsSync(path.join(root, "src/links/flows/dee.ts")) && existsSync(path.join(root, "test/dee.test.ts"))).toBe(true);
    checkGreen(root);
    greenSoFar(root);

    const refused = cli(root, "remove-link", "bee");
    expect(refused.stderr.trim()).toBe('create-taskchain: "bee" is still referenced: test/routing.test.ts:5 switchTask("bee") — change those first, or pass --force');
    rmSync(path.join(root, "test/routing.test.ts"));
    for (const name of ["greeting", "bee", "sea", "dee"]) ok(root, "remove-link", name);
    expect(read(root, "src/links/ab.ts")).toContain('name: "a"');
    expect(JSON.parse(read(root, "chain.json")).map((e: { name: string }) => e.name)).toEqual(["wrap_up", "pin_vetting", "schedule", "a"]);
    checkGreen(root);
    expectProjectGreen(root);
  });

  it("a registry split into three files (index.ts re-exports the chain and LinkName): add, rename, remove stay green", () => {
    const root = create("pin_vetting,schedule");
    write(root, "src/links/index.ts", 'export { chain } from "./chain.ts";\nexport type { LinkName } from "./names.ts";\n');
    write(root, "src/links/chain.ts", readFileSync(path.join(FIXTURES, "split-chain.chain.ts.txt"), "utf8"));
    write(root, "src/links/names.ts", readFileSync(path.join(FIXTURES, "split-names.names.ts.txt"), "utf8"));
    checkGreen(root);
    installProject(root);
    greenSoFar(root);
    const index = read(root, "src/links/index.ts");
    ok(root, "add-link", "book_slot", "--after", "pin_vetting");
    ok(root, "add-link", "greeting", "--before", "pin_vetting");
    ok(root, "rename-link", "schedule", "booking");
    ok(root, "remove-link", "pin_vetting");
    expect(read(root, "src/links/index.ts")).toBe(index);
    expect(read(root, "src/links/chain.ts")).toContain("export const chain = [greetingLink, bookSlotLink, bookingLink] as const satisfies readonly Link[];");
    expect(read(root, "src/links/names.ts")).toContain('export type LinkName =\n  | "greeting"\n  | "book_slot"\n  | "booking";');
    checkGreen(root);
    expectProjectGreen(root);
  });

  it("refuses bad situations with one line and no change", () => {
    const root = create("pin_vetting,schedule");
    const snapshot = () => ["src/links/index.ts", "chain.json"].map((f) => read(root, f)).join("\0");
    const before = snapshot();
    for (const [args, message] of [
      [["add-link", "schedule"], /link "schedule" already exists/],
      [["add-link", "x", "--after", "nope"], /--after nope: no such link/],
      [["add-link", "Bad"], /must start with a lowercase letter/],
      [["remove-link", "nope"], /no link "nope"/],
      [["rename-link", "schedule", "pin_vetting"], /already exists/],
    ] as const) {
      const r = cli(root, ...args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect(snapshot()).toBe(before);
    const notProject = tempDir();
    write(notProject, "package.json", "{}");
    const r = cli(notProject, "add-link", "x");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a taskchain project/);
  });
});

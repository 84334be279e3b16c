// add-link on a terminal: the prompts ask for the link's prompt and parameters, validate the
// "name:type:description" form as you type, and a cancel writes nothing.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/project.js";
import { PtySession } from "../helpers/pty.js";

// The terminal width and prompt settle time these tests have always used.
const session = (args: string[], cwd: string) => new PtySession(args, cwd, { cols: 160, settleMs: 80 });

function create(): string {
  const root = path.join(tempDir("taskchain-edit-pty-"), "app");
  const r = runCli([root, "--link", "pin_vetting,schedule", "--runtime", "node", "--yes", "--no-install", "--no-git"]);
  expect(r.code, r.stderr).toBe(0);
  return root;
}

const listing = (root: string) => [...readdirSync(path.join(root, "src/links")), ...readdirSync(path.join(root, "test"))].sort();

describe("add-link on a terminal", () => {
  it("asks for the prompt and the parameters, validating as you type", async () => {
    const root = create();
    const s = session(["add-link", "book_slot", "--after", "pin_vetting"], root);
    await s.waitFor("What should the agent do in this step?");
    s.type("Offer two slots: 9:30 or 14:00\r");
    await s.waitFor("A parameter Agent4 collects when qualified");
    s.type("when:date:x\r");
    await s.waitFor('unknown type "date"');
    s.type(`${"\x7f".repeat("when:date:x".length)}timeslot:string:The slot: am or pm\r`);
    await s.waitFor("A parameter Agent4 collects when qualified (Enter when done)");
    s.type("\r");
    await s.waitFor('When disqualified: collect the default "reason"');
    s.type("\r");
    await s.waitFor('When interrupt: collect the default "reason"');
    s.type("\r");
    expect(await s.exited).toBe(0);
    const link = readFileSync(path.join(root, "src/links/book_slot.ts"), "utf8");
    expect(link).toContain('content: "Offer two slots: 9:30 or 14:00",');
    expect(link).toContain('timeslot: z.string().describe("The slot: am or pm"),');
    expect(link).toContain('reason: z.string().describe("Reason for disqualification."),');
    expect(runCli(["chain", "--check", "--cwd", root]).code).toBe(0);
  });

  it("Ctrl-C at a prompt exits 130 and writes nothing", async () => {
    const root = create();
    const before = listing(root);
    const registry = readFileSync(path.join(root, "src/links/index.ts"), "utf8");
    const s = session(["add-link", "book_slot"], root);
    await s.waitFor("What should the agent do in this step?");
    s.type("\x03");
    expect(await s.exited).toBe(130);
    expect(listing(root)).toEqual(before);
    expect(readFileSync(path.join(root, "src/links/index.ts"), "utf8")).toBe(registry);
  });
});

// add-link on a terminal: the prompts ask for the link's prompt and parameters as create asks them,
// validate as you type, and a cancel writes nothing.
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
    const DOWN = "\x1b[B";
    await s.waitFor("book_slot: the prompt that drives this step of the call");
    s.type("Offer two slots: 9:30 or 14:00\r");
    await s.waitFor("book_slot: parameters Agent4 collects");
    s.type(`${DOWN}\r`);
    await s.waitFor("book_slot · qualified parameters: none");
    s.type("\r");
    await s.waitFor("qualified: field name");
    s.type("__proto__\r");
    await s.waitFor("__proto__ cannot be a parameter name");
    s.type(`${"\x7f".repeat("__proto__".length)}timeslot\r`);
    await s.waitFor("timeslot: type");
    s.type("\r");
    await s.waitFor("timeslot: description");
    s.type("The slot: am or pm\r");
    await s.waitFor("timeslot: required?");
    s.type("\r");
    await s.waitFor("qualified parameters: timeslot (string)");
    s.type("\r");
    await s.waitFor("book_slot · disqualified parameters: reason (string)");
    s.type("\r");
    await s.waitFor("book_slot · interrupt parameters: reason (string)");
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
    await s.waitFor("book_slot: the prompt that drives this step of the call");
    s.type("\x03");
    expect(await s.exited).toBe(130);
    expect(listing(root)).toEqual(before);
    expect(readFileSync(path.join(root, "src/links/index.ts"), "utf8")).toBe(registry);
  });
});

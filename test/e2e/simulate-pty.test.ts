// The interactive simulate, driven through a pseudo-terminal: the prompts are answered with
// keystrokes exactly as a person would (Enter, arrows, typing), against a real generated server.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitNewProject } from "../../src/fs/changeset.js";
import { generateProject } from "../../src/generate/project.js";
import { ProjectSpecSchema } from "../../src/spec/spec.js";
import { freePort, installProject, serve, tempDir, type Served } from "../helpers/project.js";
import { PtySession } from "../helpers/pty.js";

const ENTER = "\r";
const DOWN = "\x1b[B";
const CTRL_C = "\x03";

let dir: string;
let served: Served;

beforeAll(async () => {
  dir = path.join(tempDir("sim-pty-"), "project");
  const spec = ProjectSpecSchema.parse({
    packageName: "sim-pty",
    runtime: "node",
    baseUrl: "https://hooks.example.com",
    trigger: "check my order",
    links: [
      { name: "pin_vetting", prompt: "Ask the caller for their PIN.", parameters: { qualified: [{ name: "pin", type: "string", description: "The caller's PIN" }], disqualified: [], interrupt: [] } },
      {
        name: "sms_vetting",
        prompt: "Ask whether we may text the caller.",
        parameters: {
          qualified: [
            { name: "consent", type: "enum", values: ["yes", "no"], description: "May we text?" },
            { name: "count", type: "integer", description: "How many texts", required: false },
          ],
          disqualified: [{ name: "reason", type: "string" }],
          interrupt: [],
        },
      },
      { name: "data", prompt: "Collect the order number.", parameters: { qualified: [], disqualified: [], interrupt: [] } },
    ],
  });
  await commitNewProject(generateProject(spec, dir));
  installProject(dir);
  const port = await freePort();
  served = await serve("npm", ["start"], dir, { PORT: String(port), HOST: "127.0.0.1" }, `http://127.0.0.1:${port}`);
});

afterAll(async () => {
  await served?.stop();
});

/** The CLI on a pseudo-terminal in the generated project. */
const terminal = (args: string[]) => new PtySession(args, dir, { name: "xterm-256color", cols: 140 });

describe("simulate on a terminal", () => {
  it("asks how each link ends and for each parameter by its schema, then prints the call", async () => {
    const t = terminal(["simulate", "--url", served.url, "--from", "+15125550300"]);
    try {
      await t.answer("How does pin_vetting end?", ENTER); // qualified
      await t.answer("pin – The caller's PIN", ..."4321", ENTER);
      await t.answer("How does sms_vetting end?", ENTER);
      await t.answer("consent – May we text?", DOWN, ENTER); // "no"
      await t.answer("count – How many texts (optional)", ..."abc", ENTER);
      await t.answer("enter a whole number", "\x7f", "\x7f", "\x7f", ..."3", ENTER);
      await t.answer("How does data end?", DOWN, DOWN, ENTER); // interrupt
      const code = await t.exited;
      const out = t.text;
      expect(out).toContain('prompt: "Ask the caller for their PIN."');
      expect(out).toContain('→ qualified {"pin":"4321"}');
      expect(out).toContain('→ qualified {"consent":"no","count":3}');
      expect(out).toContain("→ interrupt");
      expect(out).toContain("Call ended (interrupt at data): the caller hung up");
      expect(out).toContain("Links: pin_vetting → sms_vetting → data");
      expect(out).toContain("Protocol: no violations");
      expect(code).toBe(0);
    } finally {
      t.kill();
    }
  });

  it("leaves an optional parameter out on an empty answer and follows a disqualification", async () => {
    const t = terminal(["simulate", "--url", served.url, "--from", "+15125550301"]);
    try {
      await t.answer("How does pin_vetting end?", ENTER);
      await t.answer("pin – The caller's PIN", ..."1", ENTER);
      await t.answer("How does sms_vetting end?", ENTER);
      await t.answer("consent – May we text?", ENTER); // "yes"
      await t.answer("count – How many texts (optional)", ENTER); // left out
      await t.answer("How does data end?", DOWN, ENTER); // disqualified
      const code = await t.exited;
      const out = t.text;
      expect(out).toContain('→ qualified {"consent":"yes"}');
      expect(out).toContain("→ disqualified {}");
      expect(out).toContain("ends the call");
      expect(out).toContain("Call ended (end_call at data)");
      expect(code).toBe(0);
    } finally {
      t.kill();
    }
  });

  it("--json: the live transcript (prompt, parameters) still comes before each question, the JSON last", async () => {
    const t = terminal(["simulate", "--url", served.url, "--json"]);
    try {
      await t.answer("How does pin_vetting end?", DOWN, DOWN, ENTER); // interrupt
      const code = await t.exited;
      const out = t.text;
      const question = out.indexOf("How does pin_vetting end?");
      expect(out.indexOf('prompt: "Ask the caller for their PIN."')).toBeGreaterThan(-1);
      expect(out.indexOf('prompt: "Ask the caller for their PIN."')).toBeLessThan(question);
      expect(out.indexOf("  - pin (string, required) – The caller's PIN")).toBeLessThan(question);
      expect(out).toContain("Call ended (interrupt at pin_vetting): the caller hung up");
      const json = JSON.parse(out.slice(out.indexOf("\n{\n") + 1)) as { ok: boolean; transcript: { links: string[]; ended: { reason: string } } };
      expect(json.transcript.links).toEqual(["pin_vetting"]);
      expect(json.transcript.ended.reason).toBe("interrupt");
      expect(code).toBe(0);
    } finally {
      t.kill();
    }
  });

  it("Ctrl-C at a prompt cancels with exit 130", async () => {
    const t = terminal(["simulate", "--url", served.url, "--from", "+15125550302"]);
    try {
      await t.answer("How does pin_vetting end?", CTRL_C);
      const code = await t.exited;
      expect(t.text).toContain("create-taskchain: Simulation cancelled.");
      expect(code).toBe(130);
    } finally {
      t.kill();
    }
  });
});

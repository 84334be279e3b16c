// Recording webhook calls and replaying them: the runtime's recorder (templates/base) and the
// CLI's replay logic (src/sim/replay.ts), tested without a network.
import fc from "fast-check";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as z from "zod";
import { groupCalls, parseRecords, replayCall, updatedRecords, type RecordLine } from "../../src/sim/replay.js";
import type { HttpResult, WebhookClient } from "../../src/sim/client.js";
import { fileRecordSink } from "../../templates/node-server/src/record-file.js";
import {
  createRecorder,
  createTaskchain,
  defineLink,
  endCall,
  nextTask,
  recorderFromEnv,
  silentLogger,
  type CallRecord,
  type HttpRequest,
  type Logger,
} from "../../templates/base/src/taskchain/index.js";

const ask = defineLink({
  name: "ask",
  parameters: { qualified: z.object({ pin: z.string() }) },
  initial: ({ state }) => ({ content: `Seen: ${String(state.seen ?? "no")}` }),
  qualified: ({ context }) => ({ content: `PIN ${context.pin}`, state: { seen: context.pin }, actions: [nextTask()] }),
  disqualified: () => ({ content: "No PIN", actions: [endCall()] }),
});
const thanks = defineLink({
  name: "thanks",
  parameters: {},
  initial: ({ state }) => ({ content: `Thanks, ${String(state.seen)}` }),
  qualified: () => ({ content: "Bye", actions: [nextTask()] }),
  disqualified: () => ({ content: "Bye" }),
});

const post = (name: string, action: string, from: string, context?: unknown): HttpRequest => ({
  method: "POST",
  url: `/${name}`,
  body: { json: { name, action, call_from: from, call_forwarded_by: "+15125550199", ...(context !== undefined && { context }) } },
});

/** Waits for the recorder's asynchronous hashing and writes. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/** Waits until `count` lines arrived (the recorder writes after answering), or two seconds passed. */
async function linesOf(lines: string[], count: number): Promise<string[]> {
  for (const deadline = Date.now() + 2000; lines.length < count && Date.now() < deadline; ) await settle();
  return lines;
}

describe("the recorder", () => {
  it("records each webhook call with numbers as pseudonyms, and answers exactly as without it", async () => {
    const lines: string[] = [];
    const recorded = createTaskchain({ links: [ask, thanks], logger: silentLogger, record: createRecorder({ sink: (line) => void lines.push(line), logger: silentLogger }) });
    const plain = createTaskchain({ links: [ask, thanks], logger: silentLogger });
    const answers = [];
    for (const app of [recorded, plain]) {
      const a = await app.handle(post("ask", "initial", "+15125551234"));
      const b = await app.handle(post("ask", "qualified", "+15125551234", { pin: "42" }));
      answers.push([a, b].map((answer) => ({ status: answer.status, body: { ...JSON.parse(answer.body), key: "k" } })));
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(await linesOf(lines, 2)).toHaveLength(2);
    const records = lines.map((line) => JSON.parse(line) as CallRecord);
    expect(records.map((r) => [r.taskchain, r.link, r.action, r.status])).toEqual([
      ["call", "ask", "initial", 200],
      ["call", "ask", "qualified", 200],
    ]);
    expect(lines.join("\n")).not.toContain("5125551234");
    expect(lines.join("\n")).not.toContain("5125550199");
    expect(records[0]?.payload.call_from).toMatch(/^anon:[0-9a-f]{16}$/);
    expect(records[0]?.payload.call_from).toBe(records[1]?.payload.call_from);
    expect(records[1]?.answer).toMatchObject({ content: "PIN 42", state: { seen: "42" } });
  });

  it("keeps the numbers when asked to", async () => {
    const lines: string[] = [];
    const app = createTaskchain({ links: [ask], logger: silentLogger, record: createRecorder({ sink: (line) => void lines.push(line), logger: silentLogger, keepNumbers: true }) });
    await app.handle(post("ask", "initial", "+15125551234"));
    expect((await linesOf(lines, 1))[0]).toContain("+15125551234");
  });

  it("never changes an answer or fails a call, whatever the sink does", async () => {
    const sinks = fc.constantFrom<(line: string) => void | Promise<void>>(
      () => undefined,
      () => {
        throw new Error("disk full");
      },
      () => Promise.reject(new Error("EACCES")),
      () => new Promise(() => {}),
    );
    await fc.assert(
      fc.asyncProperty(sinks, fc.array(fc.constantFrom("initial", "qualified", "disqualified", "interrupt"), { minLength: 1, maxLength: 6 }), fc.string(), async (sink, actions, pin) => {
        const warnings: string[] = [];
        const logger: Logger = { ...silentLogger, warn: (message) => void warnings.push(message) };
        const recorded = createTaskchain({ links: [ask, thanks], logger: silentLogger, record: createRecorder({ sink, logger }) });
        const plain = createTaskchain({ links: [ask, thanks], logger: silentLogger });
        for (const action of actions) {
          const request = post("ask", action, "+15125550100", action === "initial" ? undefined : { pin });
          const [a, b] = [await recorded.handle(request), await plain.handle(request)];
          expect(a.status).toBe(b.status);
          expect({ ...JSON.parse(a.body), key: "k" }).toEqual({ ...JSON.parse(b.body), key: "k" });
        }
        await settle();
        expect(warnings.length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 60 },
    );
  });

  it("is off without TASKCHAIN_RECORD, and a file path without a file system is logged, not thrown", () => {
    expect(recorderFromEnv({}, silentLogger)).toBeUndefined();
    const errors: string[] = [];
    expect(recorderFromEnv({ TASKCHAIN_RECORD: "calls.jsonl" }, { ...silentLogger, error: (m) => void errors.push(m) })).toBeUndefined();
    expect(errors).toEqual(["TASKCHAIN_RECORD=calls.jsonl: this runtime has no file to record to; set TASKCHAIN_RECORD=log"]);
    expect(recorderFromEnv({ TASKCHAIN_RECORD: "log" }, silentLogger)).toBeTypeOf("function");
  });
});

describe("the record file", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "taskchain-record-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("appends whole lines in order and moves to <file>.1 at its cap", async () => {
    const file = path.join(dir, "calls.jsonl");
    const sink = fileRecordSink(file, 100);
    const lines = Array.from({ length: 7 }, (_, i) => JSON.stringify({ n: i, pad: "x".repeat(20) }));
    await Promise.all(lines.map((line) => sink(line)));
    const current = readFileSync(file, "utf8");
    const older = readFileSync(`${file}.1`, "utf8");
    expect(Buffer.byteLength(current)).toBeLessThanOrEqual(100);
    expect(Buffer.byteLength(older)).toBeLessThanOrEqual(100);
    // The newest lines, whole and in order, across the two files.
    expect(`${older}${current}`.trim().split("\n")).toEqual(lines.slice(-(older + current).trim().split("\n").length));
  });

  it("reports a failed write and keeps writing the next", async () => {
    const sink = fileRecordSink(path.join(dir, "missing-folder", "calls.jsonl"), 1000);
    await expect(sink("{}")).rejects.toThrow(/ENOENT/);
    await expect(sink("{}")).rejects.toThrow(/ENOENT/);
  });
});

const line = (over: Partial<RecordLine>): string => JSON.stringify({ taskchain: "call", time: "2026-01-01T00:00:00Z", link: "ask", action: "initial", payload: { name: "ask", action: "initial", call_from: "anon:1" }, status: 200, answer: { key: "k1", content: "hi" }, ...over });

describe("replay", () => {
  it("reads record lines out of a log, skipping other lines, and names a broken record's line", () => {
    const text = ['taskchain webhook listening on http://localhost:3000', `2026-01-01T00:00:00Z INFO ${line({})}`, '{"level":"info"}', line({ action: "qualified" })].join("\n");
    expect(parseRecords(text, "log.txt").map((r) => r.action)).toEqual(["initial", "qualified"]);
    expect(() => parseRecords(`${line({})}\n{"taskchain":"call","link":""}`, "calls.jsonl")).toThrow(/^calls\.jsonl:2: not a valid recorded call/);
    expect(() => parseRecords("nothing here", "empty.jsonl")).toThrow("empty.jsonl holds no recorded calls");
  });

  it("groups lines into calls by their answers' key; an answer without a key is a call of its own", () => {
    const records = parseRecords(
      [line({}), line({ answer: { key: "k2", content: "x" } }), line({ action: "qualified" }), line({ status: 400, answer: { error: "invalid_payload" } })].join("\n"),
      "f",
    );
    expect(groupCalls(records).map((call) => call.map((r) => `${keyOfLine(r)}:${r.action}`))).toEqual([["k1:initial", "k1:qualified"], ["k2:initial"], ["-:initial"]]);
  });

  /** A client answering from a script, recording what it was sent. */
  const scripted = (answers: unknown[]): { client: WebhookClient; sent: unknown[] } => {
    const sent: unknown[] = [];
    const client = {
      post: async (_url: string, body: unknown): Promise<HttpResult> => {
        sent.push(body);
        const json = answers.shift();
        return { status: 200, contentType: "application/json", text: JSON.stringify(json), json, isJson: true, ms: 1 };
      },
    } as Pick<WebhookClient, "post">;
    return { client: client as WebhookClient, sent };
  };
  const options = (client: WebhookClient) => ({ client, urlFor: (link: string) => `http://127.0.0.1:1/${link}`, caller: () => "+15125550142", forwardedBy: "+15125550199" });
  const call = parseRecords([line({}), line({ action: "qualified", answer: { key: "k1", content: "PIN 4", actions: [{ name: "next_task" }] } })].join("\n"), "f");

  it("passes when the answers match under a consistent key, and sends the call under a fresh caller", async () => {
    const { client, sent } = scripted([{ content: "hi", key: "n1" }, { key: "n1", actions: [{ name: "next_task" }], content: "PIN 4" }]);
    const result = await replayCall(call, options(client));
    expect(result.ok).toBe(true);
    expect(sent.map((body) => (body as { call_from: string }).call_from)).toEqual(["+15125550142", "+15125550142"]);
  });

  it("records no notification header (the call-ended one's carries the caller line) and replays such a call green", async () => {
    const lines: string[] = [];
    const record = createRecorder({ sink: (line) => void lines.push(line), logger: silentLogger });
    const app = createTaskchain({ links: [ask, thanks], logger: silentLogger, token: "s3cret-token", publicUrl: "https://hooks.example.com", record });
    const send = (request: HttpRequest) => app.handle({ ...request, authorization: "Bearer s3cret-token" });
    await send(post("ask", "initial", "+15125551234"));
    await send(post("ask", "qualified", "+15125551234", { pin: "42" }));
    const text = (await linesOf(lines, 2)).join("\n");
    expect(text).not.toContain("s3cret-token");
    expect(text).not.toContain("5125551234");
    const headers = { "x-taskchain-caller": "[redacted]" };
    expect((JSON.parse(lines[0]!) as CallRecord).answer).toMatchObject({ additional_call_notifications: [{ webhook: { headers } }] });
    // Played again on the same app, under another caller and so another key: the same answers.
    const client = {
      post: async (url: string, body: unknown): Promise<HttpResult> => {
        const answer = await send({ method: "POST", url: new URL(url).pathname, body: { json: body } });
        return { status: answer.status, contentType: "application/json", text: answer.body, json: JSON.parse(answer.body), isJson: true, ms: 0 };
      },
    } as Pick<WebhookClient, "post">;
    const result = await replayCall(parseRecords(text, "f"), options(client as WebhookClient));
    expect(result.steps.map((step) => step.difference)).toEqual([undefined, undefined]);
  });

  it("fails on a changed answer or a key that changes within the call, and --update keeps the new answers", async () => {
    const changed = await replayCall(call, options(scripted([{ key: "n1", content: "hello" }, { key: "n1", content: "PIN 4", actions: [{ name: "next_task" }] }]).client));
    expect(changed.steps.map((s) => s.difference)).toEqual(["the answer differs", undefined]);
    const rekeyed = await replayCall(call, options(scripted([{ key: "n1", content: "hi" }, { key: "n2", content: "PIN 4", actions: [{ name: "next_task" }] }]).client));
    expect(rekeyed.steps[1]?.difference).toBe("the key changed within the call (n1 became n2)");
    const updated = parseRecords(updatedRecords([changed]), "f");
    expect(updated.map((r) => r.answer)).toEqual([{ key: "k1", content: "hello" }, { key: "k1", content: "PIN 4", actions: [{ name: "next_task" }] }]);
  });
});

function keyOfLine(record: RecordLine): string {
  const key = (record.answer as { key?: string }).key;
  return key ?? "-";
}

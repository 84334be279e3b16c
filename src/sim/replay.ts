// Recorded calls as regression tests: the lines a webhook wrote with TASKCHAIN_RECORD (or
// `simulate --record`) are grouped into calls, played again against a server, and each answer
// compared with the one recorded.
import * as z from "zod";
import { LinkActionSchema } from "../../templates/base/src/taskchain/protocol.js";
import { recordable, type CallRecord } from "../../templates/base/src/taskchain/record.js";
import { UserError } from "../errors.js";
import type { WebhookClient } from "./client.js";

const RecordSchema = z.object({
  taskchain: z.literal("call"),
  time: z.string(),
  link: z.string().min(1),
  action: LinkActionSchema,
  payload: z.record(z.string(), z.unknown()),
  status: z.number().int(),
  answer: z.unknown(),
  ms: z.number().optional(),
});
export type RecordLine = z.infer<typeof RecordSchema>;

/**
 * The record lines of a file. A line may carry a prefix (a log export's timestamp): the record is
 * the JSON object from its first `{`. Lines that are not records (other log output) are skipped;
 * a line that says it is a record but is not a valid one is an error naming the line.
 */
export function parseRecords(text: string, shown: string): RecordLine[] {
  const records: RecordLine[] = [];
  text.split("\n").forEach((line, index) => {
    const start = line.indexOf("{");
    if (start === -1 || !line.includes('"taskchain"')) return;
    let json: unknown;
    try {
      json = JSON.parse(line.slice(start));
    } catch {
      return;
    }
    if (typeof json !== "object" || json === null || (json as { taskchain?: unknown }).taskchain !== "call") return;
    const parsed = RecordSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UserError(`${shown}:${index + 1}: not a valid recorded call (${issue?.path.join(".") || "record"}: ${issue?.message})`);
    }
    records.push(parsed.data);
  });
  if (records.length === 0) throw new UserError(`${shown} holds no recorded calls (lines with "taskchain":"call", written by TASKCHAIN_RECORD or simulate --record)`);
  return records;
}

/** The key of a recorded answer, when it has one (error answers do not). */
function keyOf(answer: unknown): string | undefined {
  const key = typeof answer === "object" && answer !== null ? (answer as { key?: unknown }).key : undefined;
  return typeof key === "string" && key !== "" ? key : undefined;
}

/**
 * Records grouped into calls by the key their answers carry, in the order calls first appear.
 * Sorted by time first (a stable sort): a log gathered from several instances may interleave.
 */
export function groupCalls(records: readonly RecordLine[]): RecordLine[][] {
  const byKey = new Map<string, RecordLine[]>();
  const calls: RecordLine[][] = [];
  for (const record of [...records].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0))) {
    const key = keyOf(record.answer);
    const call = key === undefined ? undefined : byKey.get(key);
    if (call) call.push(record);
    else {
      const fresh = [record];
      if (key !== undefined) byKey.set(key, fresh);
      calls.push(fresh);
    }
  }
  return calls;
}

/** JSON with object keys sorted, two-space indented: equal values print equal, whatever the key order. */
export function canonical(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (typeof v !== "object" || v === null) return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
  };
  return JSON.stringify(sort(value), null, 2) ?? "undefined";
}

export interface StepResult {
  record: RecordLine;
  status?: number;
  answer: unknown;
  /** Why this answer differs from the recorded one; undefined when it matches. */
  difference?: string;
  /** The answer as it would be recorded now (its key mapped back to the recorded one). */
  expected: unknown;
}

export interface CallResult {
  steps: StepResult[];
  ok: boolean;
}

export interface ReplayOptions {
  client: WebhookClient;
  /** Where a link's payloads go. */
  urlFor(link: string): string;
  /** A caller number of the replay's own for this call, so it never continues another call. */
  caller(): string;
  forwardedBy: string;
}

/**
 * Plays one call and compares each answer with the recorded one. Keys are compared by
 * consistency, not value: the first answer fixes which new key stands for the recorded one, and
 * every later answer of the call must use the same.
 */
export async function replayCall(call: readonly RecordLine[], options: ReplayOptions): Promise<CallResult> {
  const keys = new Map<string, string>();
  const from = options.caller();
  const steps: StepResult[] = [];
  for (const record of call) {
    const payload = { ...record.payload };
    if (payload.call_from) payload.call_from = from;
    if (payload.call_forwarded_by) payload.call_forwarded_by = options.forwardedBy;
    const result = await options.client.post(options.urlFor(record.link), payload);
    const answer = result.isJson ? result.json : result.text;
    const expected = withKey(recordable(answer), keys, keyOf(record.answer));
    steps.push({ record, ...(result.status !== undefined && { status: result.status }), answer, expected: expected.answer, ...differenceOf(record, result.status, result.error, expected) });
  }
  return { steps, ok: steps.every((step) => step.difference === undefined) };
}

/**
 * The answer with its key replaced by the recorded key it stands for, wherever it appears (the
 * call-ended notification's URL too), or why it cannot be.
 */
function withKey(answer: unknown, keys: Map<string, string>, recorded: string | undefined): { answer: unknown; problem?: string } {
  const actual = keyOf(answer);
  if (actual === undefined || recorded === undefined) return { answer };
  const known = keys.get(recorded);
  if (known !== undefined && known !== actual) return { answer, problem: `the key changed within the call (${known} became ${actual})` };
  for (const [other, mapped] of keys) {
    if (other !== recorded && mapped === actual) return { answer, problem: `two recorded calls share the key ${actual}` };
  }
  keys.set(recorded, actual);
  return { answer: JSON.parse(JSON.stringify(answer).replaceAll(actual, recorded)) as unknown };
}

function differenceOf(record: RecordLine, status: number | undefined, error: string | undefined, expected: { answer: unknown; problem?: string }): { difference?: string } {
  if (status === undefined) return { difference: `no answer (${error ?? "unknown error"})` };
  if (expected.problem) return { difference: expected.problem };
  if (status !== record.status) return { difference: `HTTP ${status}, recorded ${record.status}` };
  if (canonical(expected.answer) !== canonical(record.answer)) return { difference: "the answer differs" };
  return {};
}

/** The file's records with each replayed answer in place of the recorded one (`--update`). */
export function updatedRecords(calls: readonly CallResult[]): string {
  const lines = calls.flatMap((call) =>
    call.steps.map((step) => {
      // A step that got no answer keeps what was recorded: there is nothing newer to keep.
      if (step.status === undefined) return JSON.stringify(step.record);
      const record: CallRecord = { ...(step.record as CallRecord), status: step.status, answer: step.expected };
      return JSON.stringify(record);
    }),
  );
  return `${lines.join("\n")}\n`;
}

/** The lines `simulate --record` appends for one walked call, in the format TASKCHAIN_RECORD writes. */
export function recordLines(exchanges: readonly { link: string; action: CallRecord["action"]; payload: Record<string, unknown>; status?: number; body: unknown }[]): string {
  const time = new Date().toISOString();
  return exchanges
    .filter((exchange) => exchange.status !== undefined)
    .map((exchange) => JSON.stringify({ taskchain: "call", time, link: exchange.link, action: exchange.action, payload: exchange.payload, status: exchange.status, answer: recordable(exchange.body) }))
    .join("\n");
}

// Recording: each webhook call as one JSON line, so the calls Agent4 really makes can be replayed
// later as regression tests (`create-taskchain simulate --replay <file>`). Off unless
// TASKCHAIN_RECORD is set; see the README's "Record and replay calls" for the privacy note.
import type { HttpAnswer } from "./http.ts";
import { describeThrown, type Logger } from "./log.ts";
import type { Payload } from "./protocol.ts";

/** One recorded webhook call. `taskchain: "call"` picks these lines out of a log stream. */
export interface CallRecord {
  taskchain: "call";
  time: string;
  link: string;
  action: Payload["action"];
  payload: Payload;
  status: number;
  answer: unknown;
  /** How long the runtime took to answer, handler included, in milliseconds. */
  ms: number;
}

/** Where record lines go: appended to a file (node), or written to the log (Workers, Lambda). */
export type RecordSink = (line: string) => void | Promise<void>;

/** Called by dispatch after each webhook call that reached a link. */
export type Recorder = (payload: Payload, answer: HttpAnswer, ms: number) => void;

export interface RecorderOptions {
  sink: RecordSink;
  logger: Logger;
  /** Keep the caller's and the forwarding numbers as they are instead of pseudonyms. */
  keepNumbers?: boolean;
}

/**
 * A recorder that never blocks or fails a call: numbers are hashed and the line written after the
 * answer is on its way, and any failure is logged once, not thrown.
 */
export function createRecorder(options: RecorderOptions): Recorder {
  const pseudonym = options.keepNumbers ? (value: string) => Promise.resolve(value) : pseudonymiser();
  let warned = false;
  // Lines are made one after another (hashing is asynchronous), so they reach the sink in the
  // order the calls were answered, which replay relies on.
  let previous: Promise<unknown> = Promise.resolve();
  // Once: a full disk would otherwise add a log line to every call.
  const fail = (error: unknown) => {
    if (!warned) options.logger.warn("recording a call failed; calls are still answered", { error: describeThrown(error) });
    warned = true;
  };
  return (payload, answer, ms) => {
    const time = new Date().toISOString();
    const line = previous.then(() => recordLine(payload, answer, ms, time, pseudonym));
    previous = line.catch(() => {});
    line.then(options.sink).catch(fail);
  };
}

async function recordLine(payload: Payload, answer: HttpAnswer, ms: number, time: string, pseudonym: (value: string) => Promise<string>): Promise<string> {
  const hide = async (value: string | null | undefined) => (value ? pseudonym(value) : value);
  const hidden = { ...payload, call_from: await hide(payload.call_from), call_forwarded_by: await hide(payload.call_forwarded_by) };
  // Every answer the runtime gives is JSON, error answers included.
  const record: CallRecord = { taskchain: "call", time, link: payload.name, action: payload.action, payload: hidden as Payload, status: answer.status, answer: recordable(JSON.parse(answer.body)), ms: Math.round(ms * 10) / 10 };
  return JSON.stringify(record);
}

/**
 * An answer as recorded (and compared on replay): notification webhook headers are credentials (the
 * call-ended notification's carries the caller line), so their values are not kept.
 */
export function recordable(answer: unknown): unknown {
  const notifications = (answer as { additional_call_notifications?: unknown } | null)?.additional_call_notifications;
  if (!Array.isArray(notifications)) return answer;
  const hide = (headers: object) => Object.fromEntries(Object.keys(headers).map((name) => [name, "[redacted]"]));
  const hidden = notifications.map((n) => (n?.webhook?.headers ? { ...n, webhook: { ...n.webhook, headers: hide(n.webhook.headers) } } : n));
  return { ...(answer as object), additional_call_notifications: hidden };
}

/**
 * Phone numbers as `anon:<hex>`: an HMAC under a key drawn when the process starts and never
 * stored. A plain hash would not hide them (there are few enough numbers to hash them all); this
 * still maps one number to one pseudonym for the life of the process, which is all replay needs.
 */
function pseudonymiser(): (value: string) => Promise<string> {
  const key = crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return async (value) => {
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", await key, new TextEncoder().encode(value)));
    return `anon:${Array.from(mac.subarray(0, 8), (byte) => byte.toString(16).padStart(2, "0")).join("")}`;
  };
}

/** The recorder TASKCHAIN_RECORD asks for: `log` writes each line to stdout; a path needs `file` (node). */
export function recorderFromEnv(env: Record<string, string | undefined>, logger: Logger, file?: (path: string, maxBytes: number) => RecordSink): Recorder | undefined {
  const target = env.TASKCHAIN_RECORD?.trim();
  if (!target) return undefined;
  const keepNumbers = env.TASKCHAIN_RECORD_NUMBERS === "keep";
  if (target === "log") return createRecorder({ sink: (line) => console.log(line), logger, keepNumbers });
  if (!file) {
    // Not thrown: a recording setting must never stop calls being answered.
    logger.error(`TASKCHAIN_RECORD=${target}: this runtime has no file to record to; set TASKCHAIN_RECORD=log`);
    return undefined;
  }
  const mb = Number(env.TASKCHAIN_RECORD_MAX_MB);
  return createRecorder({ sink: file(target, (Number.isFinite(mb) && mb > 0 ? mb : 50) * 1024 * 1024), logger, keepNumbers });
}

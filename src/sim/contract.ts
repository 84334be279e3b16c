// The protocol contract, run against any live endpoint: what `verify` reports. Every check has a
// stable name so CI logs and --json consumers can key on it.
import { randomInt } from "node:crypto";
import { redact, type ChainLink } from "./chain.js";
import { inspectAnswer, parameterBlocks, type HttpResult, type WebhookClient } from "./client.js";
import { OUTCOMES, type Outcome } from "../protocol/outcomes.js";
import { sampleContext } from "../protocol/samples.js";
import { walk, type Decide, type Transcript } from "./walker.js";

export type Severity = "error" | "warning";

export const CHECKS = {
  health: { severity: "warning", description: "GET /health answers 200 (not part of Agent4's protocol: a warning only)" },
  // The reference names no status; some frameworks answer a POST with 201 (NestJS), so any 2xx.
  "status-2xx": { severity: "error", description: "every valid payload gets a 2xx answer" },
  "response-shape": { severity: "error", description: "every answer is JSON matching the response schema (key, content, actions, …)" },
  "required-in-properties": { severity: "error", description: "every parameter block's required names are in its properties" },
  "key-stable": { severity: "error", description: "one key for every answer of one call" },
  "key-new-caller": { severity: "error", description: "a new caller gets a new key" },
  "call-ends": { severity: "error", description: "a call that is over (hung up, ended, the chain done) leaves nothing: the same number's next call gets a new key" },
  "withheld-caller": { severity: "error", description: "a withheld caller ID (call_from missing, null or empty) is answered, and no two such calls share a key" },
  "params-only-initial": { severity: "error", description: "*_parameters appear only in the answer to initial" },
  "switch-target-known": { severity: "error", description: "switch_task targets are links of the chain" },
  // Samples always pick the first enum value, which may be a legitimate "try again": a warning only.
  loop: { severity: "warning", description: "a call where every link qualifies (sample values) ends without looping" },
  "malformed-no-5xx": { severity: "error", description: "invalid JSON, and a payload with any one field of the wrong type, get an answer, never a 5xx" },
  // The reference says nothing about bad input; a 4xx JSON error is this tool's own convention.
  "malformed-4xx": { severity: "warning", description: "a malformed payload gets a 4xx JSON error (a convention, not Agent4's protocol: a warning only)" },
  "auth-refused": { severity: "error", description: "a request without the token is refused with 401 or 403" },
  // Agent4 may send a webhook call again when an answer is late or lost; the reference says nothing of it.
  duplicate: { severity: "warning", description: "the same delivery twice in a row gets the first answer again, byte for byte (a warning only)" },
} as const satisfies Record<string, { severity: Severity; description: string }>;
export type CheckName = keyof typeof CHECKS;

export interface ContractResult {
  check: CheckName;
  ok: boolean;
  /** What was exercised, e.g. `pin_vetting qualified`. */
  subject: string;
  message?: string;
}

export interface CheckSummary {
  check: CheckName;
  severity: Severity;
  /** `skip`: nothing exercised it (e.g. no answer carried a switch_task). */
  status: "pass" | "fail" | "warn" | "skip";
  description: string;
  passed: number;
  failed: number;
  failures: Array<{ subject: string; message: string }>;
}

export interface ContractReport {
  url: string;
  links: string[];
  ok: boolean;
  checks: CheckSummary[];
  /** What to do about a failure every check shares: set when every request was refused (401/403). */
  hint?: string;
}

export interface ContractOptions {
  base: URL;
  chain: readonly ChainLink[];
  client: WebhookClient;
  /** A token was given (flag, environment or .env): also check that requests without it are refused. A chain's `?token=` is checked apart. */
  token?: string | undefined;
}

/**
 * Caller numbers no other call of this run uses, so every call starts its own session: consecutive
 * from a random start (independent random numbers could repeat within a run, and two calls from one
 * number share a session, which would fail key-new-caller on a correct server).
 */
export function callerNumbers(): () => string {
  let next = randomInt(0, 9_000_000);
  return () => `+1555${(next++).toString().padStart(7, "0")}`;
}

export const sampleDecider = (outcome: Outcome): Decide => async ({ blocks }) => ({
  outcome,
  context: outcome === "interrupt" && !blocks.interrupt ? undefined : sampleContext(blocks[outcome]),
});

/** Walks that end the call, by the protocol's reading: after them the same number calls anew. */
const CALL_OVER = new Set(["end_call", "transfer_call", "interrupt", "chain_end", "no_next"]);
const WITHHELD = [{ what: "call_from missing" }, { what: "call_from null", call_from: null }, { what: 'call_from ""', call_from: "" }] as const;

/** Answers that refuse the request before its payload is read: the token is missing or wrong. */
const REFUSED = new Set([401, 403]);

/**
 * Payloads with one thing wrong each: unparseable JSON, then every field of the reference's
 * payload in turn with a value of the wrong type (the rest valid), so a webhook that validates
 * some fields and trips over another shows which one.
 */
export function malformedProbes(name: string, caller: string): Array<{ what: string; body: { raw: string } | Record<string, unknown> }> {
  const valid = { name, action: "initial", call_from: caller, call_forwarded_by: "+15550000000" };
  return [
    { what: "invalid JSON", body: { raw: `{"name": "${name}", "action": ` } },
    { what: "name that is a number", body: { ...valid, name: 42 } },
    { what: "action that is not one of the four", body: { ...valid, action: "explode" } },
    { what: "call_from that is a number", body: { ...valid, call_from: 15125550100 } },
    { what: "call_forwarded_by that is an object", body: { ...valid, call_forwarded_by: { number: "+15550000000" } } },
    { what: "context that is a string", body: { ...valid, action: "qualified", context: "pin=1234" } },
  ];
}

/**
 * Each link's `initial`, then its `qualified` (sample values), each sent twice in a row in a call
 * of its own, as Agent4 does when an answer was late or lost: the second must change nothing, so
 * it gets the first answer byte for byte. A refused pair (401/403) proves nothing either way.
 */
async function checkDuplicates(chain: readonly ChainLink[], client: WebhookClient, freshCaller: () => string, posted: (status: number | undefined) => void): Promise<Array<Omit<ContractResult, "check">>> {
  const results: Array<Omit<ContractResult, "check">> = [];
  const twice = async (link: ChainLink, payload: Record<string, unknown>): Promise<HttpResult> => {
    const first = await client.post(link.url, payload);
    const again = await client.post(link.url, payload);
    posted(first.status);
    posted(again.status);
    if (first.status === undefined || REFUSED.has(first.status)) return first;
    const same = again.status === first.status && again.text === first.text;
    const message = `the first answer was HTTP ${first.status} ${clip(first.text)}, the second HTTP ${again.status ?? "none"} ${clip(again.text)}`;
    results.push(same ? { ok: true, subject: `${link.name} ${String(payload.action)} twice` } : { ok: false, subject: `${link.name} ${String(payload.action)} twice`, message });
    return first;
  };
  for (const link of chain) {
    const caller = { name: link.name, call_from: freshCaller(), call_forwarded_by: "+15550000000" };
    const initial = await twice(link, { ...caller, action: "initial" });
    const blocks = parameterBlocks(inspectAnswer(initial).response);
    if (initial.status !== undefined && !REFUSED.has(initial.status)) await twice(link, { ...caller, action: "qualified", context: sampleContext(blocks.qualified) });
  }
  return results;
}

const clip = (text: string) => JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);

/** The hint for a run where every POST was refused, or undefined when some got through. */
function refusedAll(statuses: ReadonlyArray<number | undefined>, tokenSent: boolean): string | undefined {
  if (statuses.length === 0 || !statuses.every((s) => s !== undefined && REFUSED.has(s))) return undefined;
  const codes = [...new Set(statuses)].sort().join(" or ");
  return tokenSent
    ? `every request got HTTP ${codes} with the token sent: it is not the webhook's TASKCHAIN_TOKEN (check --token, else $TASKCHAIN_TOKEN)`
    : `every request got HTTP ${codes}: the webhook wants its TASKCHAIN_TOKEN; pass it with --token <token> or the TASKCHAIN_TOKEN environment variable`;
}

function isKnown(check: string): check is CheckName {
  return Object.hasOwn(CHECKS, check);
}

/** Each check's tally and distinct failures; auth-refused is left out without a token to check. */
function summarize(results: readonly ContractResult[], { guarded, refused }: { guarded: boolean; refused: boolean }): CheckSummary[] {
  const checks: CheckSummary[] = [];
  for (const [name, info] of Object.entries(CHECKS) as Array<[CheckName, (typeof CHECKS)[CheckName]]>) {
    if (name === "auth-refused" && !guarded) continue;
    const mine = name === "auth-refused" && refused ? [] : results.filter((r) => r.check === name);
    const failures = new Map<string, { subject: string; message: string }>();
    for (const r of mine) if (!r.ok) failures.set(`${r.subject}\n${r.message}`, { subject: r.subject, message: r.message ?? "" });
    const passed = mine.filter((r) => r.ok).length;
    const failed = mine.length - passed;
    const status = mine.length === 0 ? "skip" : failed === 0 ? "pass" : info.severity === "warning" ? "warn" : "fail";
    checks.push({ check: name, severity: info.severity, status, description: info.description, passed, failed, failures: [...failures.values()] });
  }
  return checks;
}

export async function runContract(options: ContractOptions): Promise<ContractReport> {
  const { base, chain, client } = options;
  const freshCaller = callerNumbers();
  const results: ContractResult[] = [];
  const add = (check: CheckName, ok: boolean, subject: string, message?: string) =>
    results.push(ok || message === undefined ? { check, ok, subject } : { check, ok, subject, message });
  // Every POST's status (undefined: no answer), to tell "every request was refused" apart.
  const statuses: Array<number | undefined> = [];
  const posted = (status: number | undefined) => statuses.push(status);
  const fromWalk = (t: Transcript, prefix = "") => {
    for (const c of t.checks) if (isKnown(c.check)) add(c.check, c.ok, `${prefix}${c.link} ${c.action}`, c.message);
    for (const v of t.visits) for (const e of [v.initial, v.outcome]) if (e) posted(e.status);
  };

  // GET /health
  const health = await client.get(new URL(`${base.pathname}/health`.replace(/\/{2,}/g, "/"), base).href);
  add("health", health.status === 200, "GET /health", health.status === undefined ? `no answer (${health.error})` : `HTTP ${health.status}`);

  /** The key the first link's initial answer gives the caller `from` (undefined: no valid answer). */
  const initialKey = async (from: string | null | undefined) => {
    const payload = { name: chain[0]!.name, action: "initial", call_forwarded_by: "+15550000000", ...(from === undefined ? {} : { call_from: from }) };
    const r = await client.post(chain[0]!.url, payload);
    posted(r.status);
    const refused = r.status !== undefined && REFUSED.has(r.status);
    return { key: inspectAnswer(r).response?.key, refused, got: r.status === undefined ? `no answer (${r.error})` : `HTTP ${r.status}` };
  };
  /** After a call that is over, the same number's next call must get a new key. */
  const checkCallEnded = async (t: Transcript, subject: string) => {
    if (!t.key || !CALL_OVER.has(t.ended.reason)) return;
    const next = await initialKey(t.from);
    if (next.refused) return;
    if (next.key === undefined) add("call-ends", false, subject, `the next call's initial got ${next.got}, not a valid answer`);
    else add("call-ends", next.key !== t.key, subject, `after the call ended (${t.ended.reason}), the same number's next call got its key ${t.key} again`);
  };

  // Every link with every outcome, each in a call of its own.
  const firstKeys: Array<{ key: string; subject: string }> = [];
  for (const link of chain) {
    for (const outcome of OUTCOMES) {
      const t = await walk({ chain, client, from: freshCaller(), forwardedBy: "+15550000000", decide: sampleDecider(outcome), start: link.name, stopAfter: 1 });
      fromWalk(t);
      if (t.key) firstKeys.push({ key: t.key, subject: `${link.name} ${outcome}` });
      await checkCallEnded(t, `${link.name} ${outcome}, then a new call`);
    }
  }
  // New callers, new keys: every call above came from a different number.
  const seen = new Map<string, string>();
  for (const { key, subject } of firstKeys) {
    const other = seen.get(key);
    add("key-new-caller", other === undefined, subject, `the call "${subject}" got key ${key}, already given to the call "${other}" from another caller`);
    if (other === undefined) seen.set(key, subject);
  }

  // One whole call where every link qualifies: keys across links, switch targets, loops.
  const call = await walk({ chain, client, from: freshCaller(), forwardedBy: "+15550000000", decide: sampleDecider("qualified") });
  fromWalk(call, "whole call: ");
  // A call cut short by a broken answer says nothing about loops.
  const completed = call.ended.reason !== "error" && call.ended.reason !== "stopped";
  if (completed && !call.checks.some((c) => c.check === "loop")) add("loop", true, `whole call: ${call.links.join(" → ")}`);
  await checkCallEnded(call, "whole call, then a new call");

  // Withheld caller IDs: answered, each call with a key of its own.
  const withheldKeys = new Map<string, string>();
  for (const { what, ...from } of WITHHELD) {
    const r = await initialKey("call_from" in from ? from.call_from : undefined);
    if (r.refused) continue;
    if (r.key === undefined) {
      add("withheld-caller", false, what, `got ${r.got}, not a valid answer (a withheld caller ID must not drop the call)`);
      continue;
    }
    const other = [...withheldKeys].find(([, key]) => key === r.key)?.[0];
    add("withheld-caller", other === undefined, what, `got key ${r.key}, already given to the call with ${other}: withheld callers would share state`);
    withheldKeys.set(what, r.key);
  }

  for (const result of await checkDuplicates(chain, client, freshCaller, posted)) add("duplicate", result.ok, result.subject, result.message);

  // Malformed input: never a 5xx (an error); a JSON 4xx saying what is wrong is recommended (a warning).
  // A refused request (401/403) never reached the payload checks: it proves nothing either way.
  for (const link of chain) {
    for (const probe of malformedProbes(link.name, freshCaller())) {
      const r = await client.post(link.url, probe.body);
      posted(r.status);
      const subject = `${link.name} ${probe.what}`;
      const got = r.status === undefined ? `no answer (${r.error})` : `HTTP ${r.status}${r.isJson ? "" : ` with a non-JSON body ${JSON.stringify(r.text.slice(0, 60))}`}`;
      if (r.status === undefined || r.status >= 500) {
        add("malformed-no-5xx", false, subject, `${got} (a malformed payload must not crash the webhook)`);
        continue;
      }
      if (REFUSED.has(r.status)) continue;
      add("malformed-no-5xx", true, subject);
      add("malformed-4xx", r.status >= 400 && r.status < 500 && r.isJson, subject, `${got} (recommended: a 4xx JSON error saying what is wrong)`);
    }
  }

  // With a token: a request without it must be refused.
  const guarded = Boolean(options.token) || chain.some((l) => new URL(l.url).searchParams.has("token"));
  if (guarded) {
    const link = chain[0]!;
    const url = new URL(link.url);
    url.searchParams.delete("token");
    const r = await client.post(url.href, { name: link.name, action: "initial", call_from: freshCaller(), call_forwarded_by: "+15550000000" }, { auth: false });
    // Refused is the answer wanted here, so this one does not count towards "every request was refused".
    add("auth-refused", r.status === 401 || r.status === 403, `${link.name} without token`, `a request without the token got ${r.status === undefined ? `no answer (${r.error})` : `HTTP ${r.status}`} (expected 401 or 403)`);
  }

  // Refused with the token as well: a refusal without it tells nothing about the token check.
  const refused = refusedAll(statuses, Boolean(options.token));
  const checks = summarize(results, { guarded, refused: refused !== undefined });
  const ok = checks.every((c) => c.status !== "fail");
  const report: ContractReport = { url: redact(base.href), links: chain.map((l) => l.name), ok, checks };
  if (refused) report.hint = refused;
  return report;
}

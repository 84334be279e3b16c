// The transcript, and verify's report, as a reader sees them. Pure: lines in, no I/O, so live
// (interactive) and batch (scripted) output are the same text.
import type { ParameterBlock, TaskchainResponse } from "../../templates/base/src/taskchain/protocol.js";
import type { CheckSummary, ContractReport } from "./contract.js";
import { canonical, type CallResult } from "./replay.js";
import type { ExpectationResult } from "./scenario.js";
import { OUTCOMES } from "../protocol/outcomes.js";
import type { Exchange, Transcript, Visit } from "./walker.js";

const INDENT = "   ";

/** How long the answer took, after the line for its request. */
const took = (exchange: Exchange) => `  (${Math.round(exchange.ms)} ms)`;

function quote(text: string): string {
  return JSON.stringify(text);
}

/** `pin (string, required) – The caller's PIN`, one per parameter. */
export function describeBlock(block: ParameterBlock): string[] {
  const required = new Set(block.required);
  return Object.entries(block.properties).map(([name, schema]) => {
    const type = Array.isArray(schema.enum) ? `one of ${schema.enum.map((v) => JSON.stringify(v)).join(" | ")}` : String(schema.type ?? "any");
    const description = typeof schema.description === "string" && schema.description ? ` – ${schema.description}` : "";
    return `${name} (${type}, ${required.has(name) ? "required" : "optional"})${description}`;
  });
}

/** `spoken`: the content is heard; `hungUp`: the caller is gone, so nothing is heard. */
function answerLines(exchange: Exchange, spoken: boolean, hungUp = false): string[] {
  const says = hungUp ? "would say (the caller hung up):" : "says:";
  const lines: string[] = [];
  const r: TaskchainResponse | undefined = exchange.response;
  if (exchange.status === undefined) lines.push(`${INDENT}← no answer`);
  else if (!r) lines.push(`${INDENT}← HTTP ${exchange.status} ${JSON.stringify(exchange.body).slice(0, 300)}`);
  if (r) {
    if (spoken && r.content) lines.push(`${INDENT}${says} ${quote(r.content)}`);
    for (const a of r.actions ?? []) {
      switch (a.name) {
        case "say":
          lines.push(`${INDENT}${says} ${quote(a.context.content)}`);
          break;
        case "sms":
          lines.push(`${INDENT}SMS to caller: ${quote(a.context.message)}`);
          break;
        case "email":
          lines.push(`${INDENT}emails summary to ${a.context.email}`);
          break;
        case "transfer_call":
          lines.push(`${INDENT}transfers the call to ${a.context.number}`);
          break;
        case "set_trigger":
          lines.push(`${INDENT}sets trigger ${quote(a.context.trigger)}`);
          break;
        case "end_call":
          lines.push(`${INDENT}ends the call`);
          break;
        case "next_task":
          lines.push(`${INDENT}next_task`);
          break;
        case "switch_task":
          lines.push(`${INDENT}switch_task → ${a.context.name}`);
          break;
      }
    }
    if (r.state && Object.keys(r.state).length) lines.push(`${INDENT}state += ${JSON.stringify(r.state)}`);
    for (const n of r.additional_call_notifications ?? []) {
      lines.push(`${INDENT}after the call: ${"email" in n ? `email ${n.email}` : `webhook ${n.webhook.host}`}`);
    }
  }
  for (const v of exchange.violations) lines.push(`${INDENT}✗ ${v.check}: ${v.message ?? ""}`);
  return lines;
}

export function renderHeader(t: Pick<Transcript, "from" | "forwardedBy">, url: string): string[] {
  return [`Simulated call from ${t.from}${t.forwardedBy ? ` (forwarded by ${t.forwardedBy})` : ""} to ${url}`];
}

/** The link's heading, the prompt and the parameters it would collect. */
export function renderInitial(visit: Visit): string[] {
  // A blank line before each link keeps the links apart, on a terminal between the questions too.
  const lines = ["", `── ${visit.link}${visit.visit > 1 ? ` (visit ${visit.visit})` : ""} ──  POST ${visit.initial.url}${took(visit.initial)}`];
  const r = visit.initial.response;
  if (r) {
    lines.push(`${INDENT}prompt: ${quote(r.content)}`);
    for (const outcome of OUTCOMES) {
      const block = visit.blocks[outcome];
      if (!block) continue;
      const params = describeBlock(block);
      lines.push(`${INDENT}${outcome} collects:${params.length ? "" : " nothing"}`);
      for (const p of params) lines.push(`${INDENT}  - ${p}`);
    }
    // The rest of the initial answer (its content is the prompt above, its blocks the parameters).
    const { qualified_parameters: _q, disqualified_parameters: _d, interrupt_parameters: _i, ...rest } = r;
    lines.push(...answerLines({ ...visit.initial, response: rest }, false));
  } else lines.push(...answerLines(visit.initial, false));
  return lines;
}

export function renderOutcome(visit: Visit): string[] {
  if (!visit.decision || !visit.outcome) return [];
  const context = visit.decision.context === undefined ? "" : ` ${JSON.stringify(visit.decision.context)}`;
  return [`${INDENT}→ ${visit.decision.outcome}${context}${took(visit.outcome)}`, ...answerLines(visit.outcome, true, visit.decision.outcome === "interrupt")];
}

export function renderEnd(t: Transcript): string[] {
  const lines = ["", `Call ended (${t.ended.reason}${t.ended.link ? ` at ${t.ended.link}` : ""}): ${t.ended.detail}`];
  lines.push(`Links: ${t.links.join(" → ") || "none"}`);
  if (t.key) lines.push(`Key: ${t.key}`);
  if (Object.keys(t.state).length) lines.push(`State: ${JSON.stringify(t.state)}`);
  if (t.violations.length === 0) lines.push("Protocol: no violations");
  else {
    lines.push(`Protocol: ${t.violations.length} violation(s)`);
    for (const v of t.violations) lines.push(`  ✗ ${v.check} (${v.link} ${v.action}): ${v.message ?? ""}`);
  }
  return lines;
}

export function renderTranscript(t: Transcript, url: string): string[] {
  const lines = renderHeader(t, url);
  for (const visit of t.visits) lines.push(...renderInitial(visit), ...renderOutcome(visit));
  lines.push(...renderEnd(t));
  return lines;
}

export function renderExpectations(results: readonly ExpectationResult[]): string[] {
  if (results.length === 0) return [];
  const failed = results.filter((r) => !r.ok).length;
  return ["", `Expectations: ${results.length - failed}/${results.length} passed`, ...results.map((r) => `  ${r.ok ? "✓" : "✗"} ${r.name}: ${r.message}`)];
}

/** The replay report: one line per call, and for each answer that differs, why and a diff. */
export async function renderReplay(calls: readonly CallResult[], file: string): Promise<string[]> {
  const { createTwoFilesPatch } = await import("diff");
  const lines: string[] = [];
  calls.forEach((call, index) => {
    const path = call.steps.map((step) => `${step.record.link} ${step.record.action}`).join(" → ");
    lines.push(`${call.ok ? "✓" : "✗"} call ${index + 1}: ${path}`);
    call.steps.forEach((step, at) => {
      if (step.difference === undefined) return;
      lines.push(`${INDENT}answer ${at + 1} (${step.record.link} ${step.record.action}): ${step.difference}`);
      if (step.status === undefined) return;
      const patch = createTwoFilesPatch("recorded", "now", `${canonical(step.record.answer)}\n`, `${canonical(step.expected)}\n`, undefined, undefined, { context: 2 });
      lines.push(...patch.split("\n").slice(1).filter((line) => line !== "").map((line) => `${INDENT}${INDENT}${line}`));
    });
  });
  const failed = calls.filter((call) => !call.ok).length;
  const count = `${calls.length} recorded call${calls.length === 1 ? "" : "s"}`;
  lines.push("", failed ? `FAIL: ${failed} of ${count} in ${file} answered differently` : `PASS: ${count} in ${file} answered as recorded`);
  return lines;
}

export function renderReport(report: ContractReport): string[] {
  const width = Math.max(...report.checks.map((c) => c.check.length));
  const lines = [`verify ${report.url} (${report.links.length} link${report.links.length === 1 ? "" : "s"}: ${report.links.join(", ")})`, ""];
  const marks = { pass: "✓", fail: "✗", warn: "!", skip: "-" } as const;
  for (const c of report.checks) {
    const count = c.status === "skip" ? "not exercised" : `${c.passed}/${c.passed + c.failed}`;
    lines.push(`${marks[c.status]} ${c.check.padEnd(width)}  ${c.description} (${count})`);
    for (const f of c.failures.slice(0, 20)) lines.push(`    ${f.subject}: ${f.message}`);
    if (c.failures.length > 20) lines.push(`    … and ${c.failures.length - 20} more`);
  }
  const named = (status: CheckSummary["status"]) => report.checks.filter((c) => c.status === status).map((c) => c.check);
  const failed = named("fail");
  const extra = [
    named("warn").length ? `${named("warn").length} warning(s): ${named("warn").join(", ")}` : "",
    named("skip").length ? `not exercised: ${named("skip").join(", ")}` : "",
  ].filter(Boolean);
  lines.push("");
  if (report.hint) lines.push(report.hint);
  lines.push(
    report.ok
      ? `PASS: ${named("pass").length}/${report.checks.length} checks passed${extra.length ? `; ${extra.join("; ")}` : ""}`
      : `FAIL: ${failed.length} check(s) failed: ${failed.join(", ")}`,
  );
  return lines;
}

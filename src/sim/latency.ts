// `verify --latency`: how long each link takes to answer, as percentiles against the time budget a
// webhook call has. On a phone call a slow answer is dead air.
import { UserError } from "../errors.js";
import { OUTCOMES } from "../protocol/outcomes.js";
import type { ChainLink } from "./chain.js";
import type { WebhookClient } from "./client.js";
import { sampleDecider } from "./contract.js";
import { walk } from "./walker.js";

import { DEFAULT_BUDGET_MS } from "../../templates/base/src/taskchain/budget.js";

export { DEFAULT_BUDGET_MS };
export const DEFAULT_ROUNDS = 10;

export interface LinkLatency {
  link: string;
  /** Answered webhook calls timed (initial and every outcome, each round). */
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  /** p99 is over the budget: some callers of this link wait longer than they should. */
  over: boolean;
}

export interface LatencyReport {
  budgetMs: number;
  rounds: number;
  links: LinkLatency[];
  ok: boolean;
}

/** The value at or below which `p` % of the sorted values lie (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function summarise(link: string, times: readonly number[], budgetMs: number): LinkLatency {
  const sorted = [...times].sort((a, b) => a - b);
  const p99 = percentile(sorted, 99);
  return { link, samples: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99, over: p99 > budgetMs };
}

/** A positive whole number of ms or rounds from a flag or the environment, or a one-line error. */
export function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UserError(`${name} must be a positive whole number, not ${JSON.stringify(value)}`);
  return n;
}

/** WEBHOOK_BUDGET_MS as the generated app reads it; unset, invalid or 0 (no budget): the default, the most a call should take. */
export function projectBudget(value: string | undefined): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_BUDGET_MS;
}

/**
 * Times every link's initial and outcome calls, `rounds` times, each in a call of its own (a new
 * caller), with sample values for the parameters. Only answered calls count (verify's contract
 * reports the rest).
 */
export async function measureLatency(options: { chain: readonly ChainLink[]; client: WebhookClient; rounds: number; budgetMs: number; caller: () => string }): Promise<LatencyReport> {
  const times = new Map<string, number[]>(options.chain.map((link) => [link.name, []]));
  for (let round = 0; round < options.rounds; round++) {
    for (const link of options.chain) {
      for (const outcome of OUTCOMES) {
        const t = await walk({ chain: options.chain, client: options.client, from: options.caller(), forwardedBy: "+15550000000", decide: sampleDecider(outcome), start: link.name, stopAfter: 1 });
        for (const visit of t.visits) {
          for (const exchange of [visit.initial, visit.outcome]) if (exchange?.status !== undefined) times.get(visit.link)?.push(exchange.ms);
        }
      }
    }
  }
  const links = options.chain.map((link) => summarise(link.name, times.get(link.name) ?? [], options.budgetMs));
  return { budgetMs: options.budgetMs, rounds: options.rounds, links, ok: links.every((l) => !l.over) };
}

export function renderLatency(report: LatencyReport): string[] {
  const width = Math.max(4, ...report.links.map((l) => l.link.length));
  const ms = (v: number) => (Number.isNaN(v) ? "-" : `${Math.round(v)} ms`).padStart(8);
  const lines = ["", `latency per link (${report.rounds} round${report.rounds === 1 ? "" : "s"}; budget ${report.budgetMs} ms)`];
  lines.push(`  ${"link".padEnd(width)}  ${"p50".padStart(8)}  ${"p95".padStart(8)}  ${"p99".padStart(8)}  calls`);
  for (const l of report.links) {
    const flag = l.over ? `  ✗ over budget: p99 ${Math.round(l.p99)} ms > ${report.budgetMs} ms` : "";
    lines.push(`${l.over ? "✗" : "✓"} ${l.link.padEnd(width)}  ${ms(l.p50)}  ${ms(l.p95)}  ${ms(l.p99)}  ${l.samples}${flag}`);
  }
  const over = report.links.filter((l) => l.over).map((l) => l.link);
  lines.push("", over.length ? `LATENCY FAIL: ${over.length} link(s) over budget: ${over.join(", ")}` : `LATENCY PASS: every link's p99 within ${report.budgetMs} ms`);
  return lines;
}

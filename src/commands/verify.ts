// `create-taskchain verify --url`: the protocol contract against any live endpoint, for CI.
import { UserError } from "../errors.js";
import { loadChain, parseBaseUrl, redact } from "../sim/chain.js";
import { defaultToken, projectEnv } from "../sim/env.js";
import { WebhookClient } from "../sim/client.js";
import { callerNumbers, runContract } from "../sim/contract.js";
import { renderReport } from "../sim/render.js";
import { DEFAULT_BUDGET_MS, DEFAULT_ROUNDS, measureLatency, positiveInteger, projectBudget, renderLatency, type LatencyReport } from "../sim/latency.js";

export interface VerifyOptions {
  url: string;
  chain?: string;
  token?: string;
  json?: boolean;
  /** Also time every link: p50/p95/p99 against the budget. */
  latency?: boolean;
  rounds?: string;
  budget?: string;
}

export async function run(options: VerifyOptions): Promise<number> {
  const env = projectEnv();
  // Read before any request, so a bad value is one line and nothing is sent.
  if (!options.latency && (options.rounds !== undefined || options.budget !== undefined)) throw new UserError("--rounds and --budget go with --latency");
  const rounds = positiveInteger(options.rounds, "--rounds", DEFAULT_ROUNDS);
  const budgetMs = options.budget === undefined ? projectBudget(env.vars.WEBHOOK_BUDGET_MS) : positiveInteger(options.budget, "--budget", DEFAULT_BUDGET_MS);
  const base = parseBaseUrl(options.url);
  const chain = await loadChain(options.chain, base);
  const token = options.token ?? defaultToken(env, base);
  const client = new WebhookClient({ token });

  // Nothing listening is a usage problem, not forty failed checks.
  const probe = await client.post(chain[0]!.url, { raw: "{}" });
  if (probe.status === undefined) throw new UserError(`no webhook answers at ${redact(base.href)} (${probe.error ?? "no answer"})`);

  const report = await runContract({ base, chain, client, token });
  let latency: LatencyReport | undefined;
  if (options.latency) latency = await measureLatency({ chain, client, rounds, budgetMs, caller: callerNumbers() });
  if (options.json) process.stdout.write(`${JSON.stringify(latency ? { ...report, latency } : report, null, 2)}\n`);
  else process.stdout.write(`${[...renderReport(report), ...(latency ? renderLatency(latency) : [])].join("\n")}\n`);
  return report.ok && (latency?.ok ?? true) ? 0 : 1;
}

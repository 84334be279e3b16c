// `create-taskchain verify --url`: the protocol contract against any live endpoint, for CI.
import { UserError } from "../errors.js";
import { loadChain, parseBaseUrl, redact } from "../sim/chain.js";
import { defaultToken, projectEnv } from "../sim/env.js";
import { WebhookClient } from "../sim/client.js";
import { renderReport, runContract } from "../sim/contract.js";

export interface VerifyOptions {
  url: string;
  chain?: string;
  token?: string;
  json?: boolean;
}

export async function run(options: VerifyOptions): Promise<number> {
  const base = parseBaseUrl(options.url);
  const chain = await loadChain(options.chain, base);
  const token = options.token ?? defaultToken(projectEnv(), base);
  const client = new WebhookClient({ token });

  // Nothing listening is a usage problem, not forty failed checks.
  const probe = await client.post(chain[0]!.url, { raw: "{}" });
  if (probe.status === undefined) throw new UserError(`no webhook answers at ${redact(base.href)} (${probe.error ?? "no answer"})`);

  const report = await runContract({ base, chain, client, token });
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(`${renderReport(report).join("\n")}\n`);
  return report.ok ? 0 : 1;
}

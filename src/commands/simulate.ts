// `create-taskchain simulate`: play Agent4 against a running webhook, by hand (TTY) or by script.
import { randomInt } from "node:crypto";
import { UserError } from "../errors.js";
import { loadChain, parseBaseUrl, redact } from "../sim/chain.js";
import { defaultToken, defaultUrl, defaultUrlSource, projectEnv } from "../sim/env.js";
import { WebhookClient } from "../sim/client.js";
import { renderEnd, renderExpectations, renderHeader, renderInitial, renderOutcome, renderTranscript } from "../sim/render.js";
import { checkExpectations, loadScenario, scriptedDecider, type ExpectationResult } from "../sim/scenario.js";
import { walk, type Decide, type WalkHooks } from "../sim/walker.js";

export interface SimulateOptions {
  url?: string;
  chain?: string;
  from?: string;
  forwardedBy?: string;
  token?: string;
  script?: string;
  json?: boolean;
}

export const DEFAULT_FORWARDED_BY = "+15125550199";

/**
 * A caller number of its own for each run: webhooks key a call's session on the caller's numbers,
 * so a fixed default would make every run continue the previous run's call (same key, same state).
 * Always a fictional number (NANP reserves 555-0100…0199 in every area code), since a handler may
 * text the caller: a random area code (not N11) and one of those hundred.
 */
export function newCaller(): string {
  let area: string;
  do area = `${randomInt(2, 10)}${randomInt(0, 9)}${randomInt(0, 10)}`;
  while (area.endsWith("11"));
  return `+1${area}55501${randomInt(0, 100).toString().padStart(2, "0")}`;
}

function print(lines: readonly string[], stream: NodeJS.WritableStream = process.stdout): void {
  if (lines.length) stream.write(`${lines.join("\n")}\n`);
}

export async function run(options: SimulateOptions): Promise<number> {
  const env = projectEnv();
  const base = options.url === undefined ? parseBaseUrl(defaultUrl(env), defaultUrlSource(env)) : parseBaseUrl(options.url);
  const chain = await loadChain(options.chain, base);
  const scenario = options.script ? await loadScenario(options.script, chain) : undefined;
  const interactive = !scenario;
  if (interactive && !(process.stdin.isTTY && (options.json ? process.stderr.isTTY : process.stdout.isTTY))) {
    throw new UserError("simulate needs a terminal to ask how each link ends; without one pass --script scenario.json");
  }
  const from = options.from ?? scenario?.from ?? newCaller();
  const forwardedBy = options.forwardedBy ?? scenario?.forwardedBy ?? DEFAULT_FORWARDED_BY;
  const client = new WebhookClient({ token: options.token ?? defaultToken(env, base, options.url !== undefined) });
  const shownUrl = redact(base.href);

  let decide: Decide;
  let hooks: WalkHooks | undefined;
  /** Interactive only: where the transcript is printed as the call goes, between the questions. */
  let live: NodeJS.WriteStream | undefined;
  if (scenario) decide = scriptedDecider(scenario);
  else {
    const { interactiveDecider } = await import("../sim/prompt.js");
    // With --json, stdout is the JSON document alone: the questions, and the live transcript they
    // need (the prompt, the parameters), go to stderr.
    live = options.json ? process.stderr : process.stdout;
    decide = await interactiveDecider(live);
    print(renderHeader({ from, forwardedBy }, shownUrl), live);
    const to = live;
    hooks = { initial: (visit) => print(renderInitial(visit), to), outcome: (visit) => print(renderOutcome(visit), to) };
  }

  const transcript = await walk({ chain, client, from, forwardedBy, decide, ...(scenario?.maxVisits !== undefined && { maxVisits: scenario.maxVisits }), ...(hooks && { hooks }) });
  const first = transcript.visits[0]?.initial;
  if (transcript.visits.length === 1 && first && first.status === undefined) {
    const reason = /\((.*)\)$/.exec(first.violations[0]?.message ?? "")?.[1] ?? "no answer";
    throw new UserError(`no webhook answers at ${shownUrl} (${reason}); start it (npm run dev) or pass --url`);
  }

  const expectations: ExpectationResult[] = scenario ? checkExpectations(scenario, transcript) : [];
  const ok = scenario ? expectations.every((e) => e.ok) : transcript.violations.length === 0;
  if (live) print(renderEnd(transcript), live);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ok, url: shownUrl, transcript, ...(scenario && { expectations }) }, null, 2)}\n`);
  } else {
    if (!live) print(renderTranscript(transcript, shownUrl));
    print(renderExpectations(expectations));
    if (scenario) print(["", ok ? "PASS" : "FAIL"]);
  }
  return ok ? 0 : 1;
}

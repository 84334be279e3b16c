// `create-taskchain simulate`: play Agent4 against a running webhook, by hand (TTY) or by script.
import { randomInt } from "node:crypto";
import { UserError } from "../errors.js";
import { loadChain, parseBaseUrl, redact } from "../sim/chain.js";
import { defaultToken, defaultUrl, defaultUrlSource, projectEnv } from "../sim/env.js";
import { WebhookClient } from "../sim/client.js";
import { renderEnd, renderExpectations, renderHeader, renderInitial, renderOutcome, renderTranscript } from "../sim/render.js";
import { checkExpectations, loadScenario, scriptedDecider, type ExpectationResult } from "../sim/scenario.js";
import { walk, type Decide, type Transcript, type WalkHooks } from "../sim/walker.js";
import type { ChainGraph, Route } from "../edit/chain-graph.js";

export interface SimulateOptions {
  url?: string;
  chain?: string;
  from?: string;
  forwardedBy?: string;
  token?: string;
  script?: string;
  json?: boolean;
  /** Print the path the call took over the chain's graph (read from the project's code). */
  graph?: boolean;
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

/** The chain's graph from the project's code in the current folder: read before the call is made. */
async function projectGraph(): Promise<ChainGraph> {
  const [{ openProject }, { readChainGraph }] = await Promise.all([import("../edit/project.js"), import("../edit/graph.js")]);
  return readChainGraph((await openProject(process.cwd())).root);
}

/** The graph's Mermaid text with the call's steps drawn thick, and the steps the code does not show. */
async function pathOver(graph: ChainGraph, transcript: Transcript): Promise<{ mermaid: string; notInCode: Route[] }> {
  const { drawsRoute, mermaid } = await import("../edit/chain-graph.js");
  const taken = transcript.visits.flatMap((v): Route[] => (v.moved ? [{ from: v.link, handler: v.moved.answer, action: v.moved.action, ...(v.moved.target !== undefined && { target: v.moved.target }) }] : []));
  return { mermaid: mermaid(graph, taken), notInCode: taken.filter((r) => !drawsRoute(graph, r)) };
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
  const graph = options.graph ? await projectGraph() : undefined;
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
  const path = graph && (await pathOver(graph, transcript));
  if (live) print(renderEnd(transcript), live);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ok, url: shownUrl, transcript, ...(scenario && { expectations }), ...(path && { path }) }, null, 2)}\n`);
  } else {
    if (!live) print(renderTranscript(transcript, shownUrl));
    print(renderExpectations(expectations));
    if (path) {
      print(["", "The call's path over the chain's graph (Mermaid; thick edges):", path.mermaid.trimEnd()]);
      for (const r of path.notInCode) print([`not in the code's graph: ${r.from} ${r.handler} → ${r.action}${r.target === undefined ? "" : ` ${r.target}`}`]);
    }
    if (scenario) print(["", ok ? "PASS" : "FAIL"]);
  }
  return ok ? 0 : 1;
}

// `create-taskchain simulate`: play Agent4 against a running webhook, by hand (TTY) or by script.
import { randomInt } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { UserError } from "../errors.js";
import { ChangeSet } from "../fs/changeset.js";
import { commitInPlace } from "../fs/journal.js";
import { loadChain, parseBaseUrl, redact } from "../sim/chain.js";
import { defaultToken, defaultUrl, defaultUrlSource, projectEnv } from "../sim/env.js";
import { WebhookClient } from "../sim/client.js";
import { renderEnd, renderExpectations, renderHeader, renderInitial, renderOutcome, renderReplay, renderTranscript } from "../sim/render.js";
import { groupCalls, parseRecords, recordLines, replayCall, updatedRecords, type CallResult } from "../sim/replay.js";
import { checkExpectations, loadScenario, scriptedDecider, type ExpectationResult } from "../sim/scenario.js";
import { walk, type Decide, type Transcript, type WalkHooks } from "../sim/walker.js";
import type { ChainGraph, Route } from "../generate/chain-graph.js";

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
  /** Recorded calls to play again and compare (TASKCHAIN_RECORD's format). */
  replay?: string;
  /** With replay: write the answers received as the new recorded ones. */
  update?: boolean;
  /** Append this walk to a file, in TASKCHAIN_RECORD's format. */
  record?: string;
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
  const { drawsRoute, mermaid } = await import("../generate/chain-graph.js");
  const taken = transcript.visits.flatMap((v): Route[] => (v.moved ? [{ from: v.link, handler: v.moved.answer, action: v.moved.action, ...(v.moved.target !== undefined && { target: v.moved.target }) }] : []));
  return { mermaid: mermaid(graph, taken), notInCode: taken.filter((r) => !drawsRoute(graph, r)) };
}

export async function run(options: SimulateOptions): Promise<number> {
  const env = projectEnv();
  const base = options.url === undefined ? parseBaseUrl(defaultUrl(env), defaultUrlSource(env)) : parseBaseUrl(options.url);
  if (options.update && !options.replay) throw new UserError("--update goes with --replay <file>");
  if (options.replay) {
    const other = options.script ? "--script" : options.record ? "--record" : options.graph ? "--graph" : undefined;
    if (other) throw new UserError(`--replay plays a recorded file; it does not take ${other}`);
    return replay(options.replay, options, base, new WebhookClient({ token: options.token ?? defaultToken(env, base, options.url !== undefined) }));
  }
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

  if (options.record) {
    const exchanges = transcript.visits.flatMap((visit) => [visit.initial, ...(visit.outcome ? [visit.outcome] : [])].map((exchange) => ({ link: visit.link, ...exchange })));
    await appendTo(options.record, recordLines(exchanges));
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

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new UserError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Writes a file whole or not at all, through the same commit as every other edit. */
async function writeWhole(file: string, before: string | undefined, content: string): Promise<void> {
  const set = new ChangeSet(path.dirname(path.resolve(file)));
  const name = path.basename(file);
  if (before === undefined) set.create(name, content);
  else set.update(name, before, content);
  await commitInPlace(set);
}

async function appendTo(file: string, lines: string): Promise<void> {
  if (!lines) return;
  const before = await readText(file);
  await writeWhole(file, before, `${before ?? ""}${before && !before.endsWith("\n") ? "\n" : ""}${lines}\n`);
}

/** `--replay`: each recorded call played against the server, one at a time, in the file's order. */
async function replay(file: string, options: SimulateOptions, base: URL, client: WebhookClient): Promise<number> {
  const text = await readText(file);
  if (text === undefined) throw new UserError(`${file} does not exist`);
  const calls = groupCalls(parseRecords(text, file));
  // The chain's endpoints when there is a chain (a deployment may route links elsewhere), else <base>/<link>.
  const hasChain = options.chain !== undefined || (await readText("chain.json")) !== undefined;
  const urls = new Map(hasChain ? (await loadChain(options.chain, base)).map((link) => [link.name, link.url]) : []);
  const results: CallResult[] = [];
  for (const call of calls) {
    const result = await replayCall(call, { client, urlFor: (link) => urls.get(link) ?? new URL(link, `${base.href}/`).href, caller: newCaller, forwardedBy: DEFAULT_FORWARDED_BY });
    if (result.steps.every((step) => step.status === undefined)) throw new UserError(`no webhook answers at ${redact(base.href)}; start it (npm run dev) or pass --url`);
    results.push(result);
  }
  const ok = results.every((result) => result.ok);
  if (options.json) process.stdout.write(`${JSON.stringify({ ok, file, calls: results }, null, 2)}\n`);
  else print(await renderReplay(results, file));
  if (options.update && !ok) {
    await writeWhole(file, text, updatedRecords(results));
    print([`${file}: the answers received are now the recorded ones`]);
    return 0;
  }
  return ok ? 0 : 1;
}

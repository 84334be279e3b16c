// Plays Agent4: walks the chain link by link (initial → outcome → follow the answer), recording a
// transcript and judging every answer. simulate drives it with prompts or a scenario; verify drives
// it with sample contexts.
import {
  PARAMETER_BLOCKS,
  type ActionName,
  type LinkAction,
  type Notification,
  type ParameterBlock,
  type PayloadInput,
  type TaskchainResponse,
} from "../../templates/base/src/taskchain/protocol.js";
import type { Outcome } from "../protocol/outcomes.js";
import { redact, type ChainLink } from "./chain.js";
import { inspectAnswer, parameterBlocks, type WebhookClient } from "./client.js";
import { moved, navigationOf, type Navigation } from "./navigation.js";

export type Blocks = Partial<Record<Outcome, ParameterBlock>>;

/** How a link ends: the outcome Agent4 reports and the context it collected (omitted when undefined). */
export type Decision = { outcome: Outcome; context?: Record<string, unknown> | undefined } | { stop: string };

export interface DecisionRequest {
  link: string;
  /** 1 on the first visit of this link in the call, 2 on the second, … */
  visit: number;
  prompt: string;
  blocks: Blocks;
  state: Readonly<Record<string, unknown>>;
}
export type Decide = (request: DecisionRequest) => Promise<Decision>;

/** One check of one answer: verify reports passes too, simulate only the failures. */
export interface CheckResult {
  check: string;
  ok: boolean;
  link: string;
  action: LinkAction;
  message?: string;
}

export interface Exchange {
  action: LinkAction;
  url: string;
  payload: PayloadInput;
  status?: number;
  /** How long the answer took, in ms. */
  ms: number;
  /** The answer body: parsed JSON, or the text when it is not JSON. */
  body: unknown;
  response?: TaskchainResponse;
  /** The failed checks of this answer. */
  violations: CheckResult[];
}

export interface Visit {
  link: string;
  visit: number;
  initial: Exchange;
  blocks: Blocks;
  decision?: { outcome: Outcome; context?: Record<string, unknown> | undefined };
  outcome?: Exchange;
  /** The answer that moved the call on from this visit, and how (`simulate --graph` draws it). */
  moved?: { answer: "initial" | Outcome; action: "next_task" | "switch_task" | "transfer_call" | "end_call"; target?: string };
}

export const END_REASONS = ["end_call", "transfer_call", "interrupt", "chain_end", "no_next", "loop", "error", "script", "stopped"] as const;
export type EndReason = (typeof END_REASONS)[number];

export interface Transcript {
  from: string;
  forwardedBy: string;
  key?: string;
  visits: Visit[];
  /** Every link visited, in order (a link visited twice appears twice). */
  links: string[];
  /** Every action of every answer, in order. */
  actions: ActionName[];
  /** What the caller hears: outcome answers' content and `say` actions, in order (none after an interrupt). */
  said: string[];
  sms: string[];
  emails: string[];
  transfers: string[];
  triggers: string[];
  notifications: Notification[];
  /** The call's state as the sum of the `state` updates received. */
  state: Record<string, unknown>;
  ended: { reason: EndReason; link?: string; detail: string };
  violations: CheckResult[];
  checks: CheckResult[];
}

export interface WalkHooks {
  /** After the initial answer of a visit arrived (before the outcome is decided). */
  initial?(visit: Visit, transcript: Transcript): void;
  /** After the outcome answer of a visit arrived and was followed. */
  outcome?(visit: Visit, transcript: Transcript): void;
}

export interface WalkOptions {
  chain: readonly ChainLink[];
  client: WebhookClient;
  from: string;
  forwardedBy: string;
  decide: Decide;
  /** The link to start at (default: the first of the chain). */
  start?: string;
  /** A link visited more than this many times in one call is a loop. */
  maxVisits?: number;
  /** Stop after this many visits (verify tests one link at a time). */
  stopAfter?: number;
  hooks?: WalkHooks;
}

export const DEFAULT_MAX_VISITS = 5;

export async function walk(options: WalkOptions): Promise<Transcript> {
  const { chain, client, from, forwardedBy, decide, hooks } = options;
  const maxVisits = options.maxVisits ?? DEFAULT_MAX_VISITS;
  const names = new Set(chain.map((l) => l.name));
  const t: Transcript = {
    from,
    forwardedBy,
    visits: [],
    links: [],
    actions: [],
    said: [],
    sms: [],
    emails: [],
    transfers: [],
    triggers: [],
    notifications: [],
    state: {},
    ended: { reason: "stopped", detail: "" },
    violations: [],
    checks: [],
  };

  function record(exchange: Exchange, link: string, check: string, ok: boolean, message?: string): void {
    const result: CheckResult = ok ? { check, ok, link, action: exchange.action } : { check, ok, link, action: exchange.action, message: message ?? "" };
    t.checks.push(result);
    if (!ok) {
      exchange.violations.push(result);
      t.violations.push(result);
    }
  }

  async function send(link: ChainLink, action: LinkAction, context?: Record<string, unknown>): Promise<Exchange> {
    const payload: PayloadInput = { name: link.name, action, call_from: from, call_forwarded_by: forwardedBy };
    if (context !== undefined) payload.context = context;
    const result = await client.post(link.url, payload);
    const exchange: Exchange = { action, url: redact(link.url), payload, ms: result.ms, body: result.isJson ? result.json : result.text, violations: [] };
    if (result.status !== undefined) exchange.status = result.status;
    const inspection = inspectAnswer(result);
    const failed = new Set(inspection.findings.map((f) => f.check));
    for (const finding of inspection.findings) record(exchange, link.name, finding.check, false, finding.message);
    if (failed.has("status-2xx")) return exchange;
    record(exchange, link.name, "status-2xx", true);
    if (!failed.has("response-shape")) record(exchange, link.name, "response-shape", true);
    const response = inspection.response;
    if (!response) return exchange;
    exchange.response = response;

    if (action === "initial" && PARAMETER_BLOCKS.some((b) => response[b]) && !failed.has("required-in-properties")) {
      record(exchange, link.name, "required-in-properties", true);
    }
    if (t.key === undefined) t.key = response.key;
    else {
      record(exchange, link.name, "key-stable", response.key === t.key, `key changed from ${t.key} to ${response.key} within one call`);
      t.key = response.key; // each change is reported once, not on every answer after it
    }
    if (action !== "initial") {
      const extra = PARAMETER_BLOCKS.filter((b) => b in response);
      record(exchange, link.name, "params-only-initial", extra.length === 0, `${extra.join(", ")} in the answer to ${action} (only valid on initial)`);
    }
    for (const a of response.actions ?? []) {
      if (a.name === "switch_task") {
        record(exchange, link.name, "switch-target-known", names.has(a.context.name), `switch_task to "${a.context.name}", which is not a link of the chain (${[...names].join(", ")})`);
      }
    }
    return exchange;
  }

  /**
   * Applies an answer's effects to the transcript and says where the call goes next. `spoken`: the
   * content is heard (not the initial prompt); `hungUp`: after an interrupt nothing is heard at all.
   */
  function follow(response: TaskchainResponse, spoken: boolean, hungUp = false): Navigation {
    if (spoken && !hungUp && response.content) t.said.push(response.content);
    if (response.state) Object.assign(t.state, response.state);
    if (response.additional_call_notifications) t.notifications.push(...response.additional_call_notifications);
    const actions = response.actions ?? [];
    for (const a of actions) {
      t.actions.push(a.name);
      if (a.name === "say" && !hungUp) t.said.push(a.context.content);
      else if (a.name === "sms") t.sms.push(a.context.message);
      else if (a.name === "email") t.emails.push(a.context.email);
      else if (a.name === "set_trigger") t.triggers.push(a.context.trigger);
      else if (a.name === "transfer_call") t.transfers.push(a.context.number);
    }
    return navigationOf(actions);
  }

  const counts = new Map<string, number>();
  let index = options.start === undefined ? 0 : chain.findIndex((l) => l.name === options.start);
  if (index < 0) throw new Error(`no link named "${options.start}" in the chain`);

  const end = (reason: EndReason, link: string | undefined, detail: string): Transcript => {
    t.ended = link === undefined ? { reason, detail } : { reason, link, detail };
    return t;
  };

  /** Moves the walk on; returns a transcript when the call is over. */
  const go = (nav: Navigation, link: ChainLink): Transcript | undefined => {
    if (nav.kind === "end") return end(nav.reason, link.name, nav.detail);
    if (nav.kind === "switch") {
      const target = chain.findIndex((l) => l.name === nav.to);
      if (target < 0) return end("error", link.name, `switch_task to unknown link "${nav.to}": Agent4 cannot follow it`);
      index = target;
      return undefined;
    }
    if (nav.kind === "next") {
      if (index + 1 >= chain.length) return end("chain_end", link.name, `next_task after the last link: the chain is complete`);
      index += 1;
      return undefined;
    }
    return undefined;
  };

  for (;;) {
    const link = chain[index]!;
    if (options.stopAfter !== undefined && t.visits.length >= options.stopAfter) return end("stopped", link.name, `stopped before ${link.name}`);
    const visitNo = (counts.get(link.name) ?? 0) + 1;
    if (visitNo > maxVisits) {
      const loop: CheckResult = { check: "loop", ok: false, link: link.name, action: "initial", message: `"${link.name}" would be visited a ${ordinal(visitNo)} time in one call (limit ${maxVisits}): the chain loops` };
      t.checks.push(loop);
      t.violations.push(loop);
      return end("loop", link.name, loop.message!);
    }
    counts.set(link.name, visitNo);
    t.links.push(link.name);

    const initial = await send(link, "initial");
    const response = initial.response;
    const visit: Visit = { link: link.name, visit: visitNo, initial, blocks: parameterBlocks(response) };
    t.visits.push(visit);
    hooks?.initial?.(visit, t);
    if (!response) return end("error", link.name, `no valid answer to initial from ${link.name}`);

    // Actions on the initial answer happen before the conversation (e.g. a say, or an early end_call).
    const early = follow(response, false);
    if (early.kind !== "none") {
      visit.moved = moved("initial", early);
      const over = go(early, link);
      if (over) return over;
      continue;
    }

    const decision = await decide({ link: link.name, visit: visitNo, prompt: response.content, blocks: visit.blocks, state: { ...t.state } });
    if ("stop" in decision) return end("script", link.name, decision.stop);
    visit.decision = decision.context === undefined ? { outcome: decision.outcome } : { outcome: decision.outcome, context: decision.context };
    const outcome = await send(link, decision.outcome, decision.context);
    visit.outcome = outcome;
    const answer = outcome.response;
    const nav = answer ? follow(answer, true, decision.outcome === "interrupt") : ({ kind: "none" } as Navigation);
    hooks?.outcome?.(visit, t);
    if (!answer) return end("error", link.name, `no valid answer to ${decision.outcome} from ${link.name}`);
    if (nav.kind !== "none") visit.moved = moved(decision.outcome, nav);
    if (decision.outcome === "interrupt") return end("interrupt", link.name, "the caller hung up");
    if (nav.kind === "none") {
      return end(index === chain.length - 1 ? "chain_end" : "no_next", link.name, index === chain.length - 1 ? "the last link ended without next_task: the chain is complete" : `${link.name} answered without next_task or switch_task: the chain stops here`);
    }
    const over = go(nav, link);
    if (over) return over;
  }
}

/** 1st, 2nd, 3rd, 4th, …, 11th, …, 21st, … */
export function ordinal(n: number): string {
  const s = ["th", "st", "nd", "rd"];
  const v = n % 100;
  return `${n}${s[(v - 20) % 10] ?? s[v] ?? s[0]}`;
}

// Scripted calls: a scenario file says how each link ends (per visit when a link comes back) and
// what the call must show, so a whole call can run in CI.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import * as z from "zod";
import { ACTION_NAMES } from "../../templates/base/src/taskchain/protocol.js";
import { UserError } from "../errors.js";
import type { ChainLink } from "./chain.js";
import { firstIssue } from "./issues.js";
import { OUTCOMES } from "../protocol/outcomes.js";
import { sampleContext } from "../protocol/samples.js";
import { END_REASONS, ordinal, type Decide, type Transcript } from "./walker.js";

const StepObjectSchema = z
  .object({
    outcome: z.enum(OUTCOMES),
    /** The collected parameters. Omitted: sample values for every parameter the link declares. */
    context: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
/** `"qualified"` is short for `{ "outcome": "qualified" }`. */
const StepSchema = z.union([z.enum(OUTCOMES).transform((outcome) => ({ outcome })), StepObjectSchema]);
export type Step = z.output<typeof StepObjectSchema>;

export const ScenarioSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().optional(),
    from: z.string().min(1).optional(),
    forwardedBy: z.string().optional(),
    /** A link visited more than this many times in one call is a loop (default 5). */
    maxVisits: z.int().min(1).max(100).optional(),
    /** Per link: one step for every visit, or a list, one per visit in order. */
    steps: z.record(z.string(), z.union([StepSchema, z.array(StepSchema).min(1)])).default({}),
    /** For links the scenario does not name. Without it, reaching such a link fails the scenario. */
    otherwise: StepSchema.optional(),
    expect: z
      .object({
        /** The links visited, exactly, in order. */
        links: z.array(z.string()).optional(),
        /** These actions appear in this order (others may come between). */
        actions: z.array(z.enum(ACTION_NAMES)).optional(),
        /** Each text is part of something the caller heard (content or say). */
        said: z.array(z.string()).optional(),
        /** Each text is part of an SMS sent. */
        sms: z.array(z.string()).optional(),
        /** How the call ends. */
        ended: z.enum(END_REASONS).optional(),
        /** These keys of the call's final state have these values. */
        state: z.record(z.string(), z.unknown()).optional(),
        /** No protocol violation (default true). */
        noViolations: z.boolean().default(true),
      })
      .strict()
      .default({ noViolations: true }),
  })
  .strict();
export type Scenario = z.output<typeof ScenarioSchema>;

/** Reads, parses and checks a scenario against the chain; every error names the file and the path. */
export async function loadScenario(file: string, chain: readonly ChainLink[], cwd = process.cwd()): Promise<Scenario> {
  const full = path.resolve(cwd, file);
  const shown = path.relative(cwd, full) || full;
  let text: string;
  try {
    text = await readFile(full, "utf8");
  } catch (error) {
    throw new UserError((error as NodeJS.ErrnoException).code === "ENOENT" ? `${shown} does not exist` : `cannot read ${shown}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${shown} is not valid JSON: ${(error as Error).message}`);
  }
  return parseScenario(json, chain, shown);
}

export function parseScenario(json: unknown, chain: readonly ChainLink[], shown = "scenario"): Scenario {
  const parsed = ScenarioSchema.safeParse(json);
  if (!parsed.success) throw new UserError(`${shown}: ${firstIssue(parsed.error)}`);
  const scenario = parsed.data;
  const names = chain.map((l) => l.name);
  const known = (name: string, where: string) => {
    if (!names.includes(name)) throw new UserError(`${shown}: ${where}: no link named "${name}" in the chain (${names.join(", ")})`);
  };
  for (const name of Object.keys(scenario.steps)) known(name, `steps.${name}`);
  scenario.expect.links?.forEach((name, i) => known(name, `expect.links[${i}]`));
  return scenario;
}

/** The scenario as a decider: each visit of a link takes its next step. */
export function scriptedDecider(scenario: Scenario): Decide {
  return async ({ link, visit, blocks }) => {
    const entry = scenario.steps[link];
    let step: Step | undefined;
    if (Array.isArray(entry)) {
      step = entry[visit - 1];
      if (!step) return { stop: `steps.${link} lists ${entry.length} visit(s), but the call reached ${link} a ${ordinal(visit)} time` };
    } else step = entry ?? scenario.otherwise;
    if (!step) return { stop: `the call reached ${link}, but the scenario has no steps.${link} (and no "otherwise")` };
    const context = step.context ?? (step.outcome === "interrupt" && !blocks.interrupt ? undefined : sampleContext(blocks[step.outcome]));
    return { outcome: step.outcome, context };
  };
}

export interface ExpectationResult {
  name: string;
  ok: boolean;
  message: string;
}

/** `a` contains `b` as a subsequence (in order, gaps allowed). */
function subsequence<T>(a: readonly T[], b: readonly T[]): boolean {
  let i = 0;
  for (const x of a) if (i < b.length && x === b[i]) i++;
  return i === b.length;
}

export function checkExpectations(scenario: Scenario, t: Transcript): ExpectationResult[] {
  const e = scenario.expect;
  const out: ExpectationResult[] = [];
  const list = (xs: readonly string[]) => `[${xs.join(", ")}]`;
  if (t.ended.reason === "script") out.push({ name: "script", ok: false, message: t.ended.detail });
  if (e.links) {
    const ok = isDeepStrictEqual(t.links, e.links);
    out.push({ name: "links", ok, message: ok ? `visited ${list(e.links)}` : `expected links ${list(e.links)}, visited ${list(t.links)}` });
  }
  if (e.actions) {
    const ok = subsequence(t.actions, e.actions);
    out.push({ name: "actions", ok, message: ok ? `actions include ${list(e.actions)} in order` : `expected actions ${list(e.actions)} in order, saw ${list(t.actions)}` });
  }
  for (const text of e.said ?? []) {
    const ok = t.said.some((s) => s.includes(text));
    out.push({ name: "said", ok, message: ok ? `said "${text}"` : `nothing said contains "${text}" (said: ${t.said.map((s) => JSON.stringify(s)).join(", ") || "nothing"})` });
  }
  for (const text of e.sms ?? []) {
    const ok = t.sms.some((s) => s.includes(text));
    out.push({ name: "sms", ok, message: ok ? `SMS "${text}"` : `no SMS contains "${text}" (sent: ${t.sms.map((s) => JSON.stringify(s)).join(", ") || "none"})` });
  }
  if (e.ended) {
    const ok = t.ended.reason === e.ended;
    out.push({ name: "ended", ok, message: ok ? `ended by ${e.ended}` : `expected the call to end by ${e.ended}, it ended by ${t.ended.reason} (${t.ended.detail})` });
  }
  for (const [key, value] of Object.entries(e.state ?? {})) {
    const ok = isDeepStrictEqual(t.state[key], value);
    out.push({ name: "state", ok, message: ok ? `state.${key} = ${JSON.stringify(value)}` : `expected state.${key} = ${JSON.stringify(value)}, got ${JSON.stringify(t.state[key]) ?? "nothing"}` });
  }
  if (e.noViolations) {
    const ok = t.violations.length === 0;
    out.push({ name: "no-violations", ok, message: ok ? "no protocol violations" : `${t.violations.length} protocol violation(s)` });
  }
  return out;
}

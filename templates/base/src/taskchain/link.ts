// A link of the chain: its parameter schemas and its handlers, declared with defineLink().
import type { z } from "zod";
import type { Budget } from "./budget.ts";
import type { Action, LinkAction, Notification } from "./protocol.ts";

/**
 * Filled in by `src/links/index.ts` (module augmentation), so that `switchTask()` only accepts
 * names of links in this chain. Left empty, any string is accepted.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Register {}
export type KnownLinkName = Register extends { linkName: infer N extends string } ? N : string;

/** Settings (API keys, phone numbers): a plain record, because Workers has no process.env. */
export type Env = Record<string, string | undefined>;

/** Accumulated state of one phone call, merged from every link's `state` updates. */
export type CallState = Record<string, unknown>;

/** Who is calling: the session of a call is keyed by these two numbers. */
export interface CallInfo {
  /** The stable UUID of this phone call (the response `key`). */
  key: string;
  from: string;
  forwardedBy: string;
  /** No digit in `from` (withheld, "" when absent): every webhook call gets a new key and empty state. */
  withheld: boolean;
}

/** What a handler returns. Everything is optional; `content` defaults to "". */
export interface Reply {
  /** On `initial`, the prompt that drives the conversation; otherwise spoken as delivered. */
  content?: string;
  actions?: Action[];
  /** An update merged into the call's state (and sent to Agent4 as `state`). */
  state?: CallState;
  additional_call_notifications?: Notification[];
}

export type Awaitable<T> = T | Promise<T>;

/** What every handler gets: this call, its state so far, the app's settings and the call's time budget. */
export interface InitialArgs extends Budget {
  call: CallInfo;
  state: Readonly<CallState>;
  env: Readonly<Env>;
  /**
   * A side effect (an SMS, an order) at most once per phone call: the first `once(name, fn)` of
   * the call runs `fn` and records what it returns in the session, kept as JSON (return plain data);
   * every later `once(name, …)` in the same call returns that record without running `fn`. A `fn`
   * that throws records nothing, nor does one that finishes after the call's budget ran out (the
   * answer, and the session with it, has gone). Await it: two at the same moment under one name
   * would both run.
   */
  once<T>(name: string, fn: () => Awaitable<T>): Promise<T>;
}
export interface OutcomeArgs<C> extends InitialArgs {
  /** `context`, parsed by the link's parameter schema for this outcome. */
  context: C;
}
export interface InterruptArgs<C> extends InitialArgs {
  /** Agent4 may hang up before collecting anything: context is absent then, or when it does not parse. */
  context: C | undefined;
}
export interface InvalidContextArgs extends InitialArgs {
  action: "qualified" | "disqualified";
  /** The context as received. */
  raw: unknown;
  /** One line naming the first field that failed. */
  problem: string;
  /** How many times this link already got unparseable context in this call (0 the first time). */
  attempt: number;
}

/** What `onTimeout` gets: the call, its state without the late handler's update, and the settings. */
export interface TimeoutArgs extends Omit<InitialArgs, keyof Budget | "once"> {
  action: LinkAction;
  /** How long the call had taken when its budget ran out. */
  elapsedMs: number;
}

/** An object schema whose parsed output is a plain object. */
export type ParamsSchema = z.ZodType<Record<string, unknown>>;

/** A link's handlers, given the parsed context types of its outcomes. */
interface Handlers<Q, D, I> {
  initial: (args: InitialArgs) => Awaitable<Reply>;
  qualified: (args: OutcomeArgs<Q>) => Awaitable<Reply>;
  disqualified: (args: OutcomeArgs<D>) => Awaitable<Reply>;
  interrupt?: (args: InterruptArgs<I>) => Awaitable<Reply>;
  /**
   * Context that fails its schema never drops the call. Without this hook the runtime asks again
   * (`switch_task` to this same link, up to twice per call) and then ends the call politely.
   */
  invalidContext?: (args: InvalidContextArgs) => Awaitable<Reply>;
  /** The answer when a handler of this link runs out of time; it must be immediate. */
  onTimeout?: (args: TimeoutArgs) => Reply;
}

export interface LinkDefinition<N extends string, Q extends ParamsSchema, D extends ParamsSchema, I extends ParamsSchema>
  extends Handlers<z.output<Q>, z.output<D>, z.output<I>> {
  /** The link's name in the Agent4 chain (lowercase letters, digits, underscores). */
  name: N;
  /** The parameters Agent4 collects for each outcome; sent as `*_parameters` on `initial`. */
  parameters: { qualified?: Q; disqualified?: D; interrupt?: I };
  /** This link's time budget per webhook call, in ms, instead of the project's (WEBHOOK_BUDGET_MS). */
  budgetMs?: number;
}

/**
 * A link as the runtime sees it: schemas erased to `ParamsSchema`, handlers taking the context as
 * parsed, `unknown`. They are methods because TypeScript compares a method's parameters both ways:
 * every link's handlers, typed by its own schemas, fit here.
 */
export interface Link {
  readonly name: string;
  readonly parameters: { qualified?: ParamsSchema; disqualified?: ParamsSchema; interrupt?: ParamsSchema };
  readonly budgetMs?: number;
  initial(args: InitialArgs): Awaitable<Reply>;
  qualified(args: OutcomeArgs<unknown>): Awaitable<Reply>;
  disqualified(args: OutcomeArgs<unknown>): Awaitable<Reply>;
  interrupt?(args: InterruptArgs<unknown>): Awaitable<Reply>;
  invalidContext?(args: InvalidContextArgs): Awaitable<Reply>;
  onTimeout?(args: TimeoutArgs): Reply;
}

/**
 * Declare one link of the chain. The handler of each outcome receives `context` typed by that
 * outcome's schema; the runtime parses it before calling.
 */
export function defineLink<
  const N extends KnownLinkName,
  Q extends ParamsSchema = ParamsSchema,
  D extends ParamsSchema = ParamsSchema,
  I extends ParamsSchema = ParamsSchema,
>(definition: LinkDefinition<N, Q, D, I>): LinkDefinition<N, Q, D, I> & Link {
  return definition as LinkDefinition<N, Q, D, I> & Link;
}

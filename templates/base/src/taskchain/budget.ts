// Time: every webhook call is answered within its budget however long its handler takes (on a phone
// call a slow answer is dead air), and logs one line saying how it was answered and how long it took.
import type { Awaitable } from "./link.ts";
import type { Logger } from "./log.ts";

/** How long one webhook call may take, end to end, unless its link or the project says otherwise. */
export const DEFAULT_BUDGET_MS = 4_000;

/** What a handler still running when its budget ran out counts as: its answer is not waited for. */
export const LATE: unique symbol = Symbol("late");

/** What every handler gets to keep its own outbound calls within the call's budget. */
export interface Budget {
  /** Aborts when the budget runs out: pass it to `fetch()` and other outbound calls. */
  readonly signal: AbortSignal;
  /** Milliseconds left of this webhook call's budget (0 once it has run out). */
  timeLeft(): number;
}

/** The budget of a call without one: its signal never aborts. */
const UNBOUNDED: Budget = { signal: new AbortController().signal, timeLeft: () => Infinity };

/**
 * What `run` returns, or LATE when `deadline` (a `performance.now()` time; Infinity for none) passes
 * first: then the signal aborts, and what the handler returns or throws later is dropped. A reply
 * given synchronously needs no timer.
 */
export function withinBudget<T>(run: (budget: Budget) => Awaitable<T>, deadline: number): Awaitable<T | typeof LATE> {
  if (deadline === Infinity) return run(UNBOUNDED);
  const controller = new AbortController();
  const timeLeft = () => Math.max(0, deadline - performance.now());
  const result = run({ signal: controller.signal, timeLeft });
  // Any thenable, not only a native Promise: a handler may return another library's promise.
  if (!isThenable(result)) return result;
  // LATE is settled before the abort, so a handler that rejects on the abort (as fetch does) does not win.
  return beforeDeadline(result, deadline).then((value) => {
    if (value === LATE) controller.abort(new DOMException("The webhook call's time budget ran out", "TimeoutError"));
    return value;
  });
}

/**
 * What `work` gives, or LATE once `deadline` (a `performance.now()` time) passes first; the work
 * goes on. Whole ms: a fractional delay costs Node a timer list of its own per call.
 */
export function beforeDeadline<T>(work: PromiseLike<T>, deadline: number): Promise<T | typeof LATE> {
  if (deadline === Infinity) return Promise.resolve(work);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(LATE), Math.ceil(Math.max(0, deadline - performance.now())));
    const settle = <V>(then: (value: V) => void) => (value: V) => {
      clearTimeout(timer);
      then(value);
    };
    Promise.resolve(work).then(settle(resolve), settle(reject));
  });
}

const isThenable = <T>(value: Awaitable<T>): value is Promise<T> => typeof (value as { then?: unknown } | null)?.then === "function";

/** How a webhook call's answer came about, with its log line's level and message. */
const OUTCOMES = {
  answered: ["info", "webhook call answered"],
  invalid_context: ["warn", "context did not parse; answered with the fallback"],
  timeout: ["warn", "link over its time budget; answered with the fallback"],
  failed: ["error", "link handler failed; answered with an apology"],
  store_failed: ["error", "session store failed; answered with an apology"],
  duplicate: ["info", "same delivery again; answered as the first time"],
} as const satisfies Record<string, readonly [keyof Logger, string]>;
export type Outcome = keyof typeof OUTCOMES;

/** One webhook call, as its log line tells it. */
export interface CallLog {
  /** When the request reached the runtime (`performance.now()`). */
  readonly started: number;
  outcome: Outcome;
  /** Time in the link's handler; the rest of the call's time is the runtime's own. */
  handlerMs: number;
  detail?: Record<string, unknown>;
}

const tenths = (ms: number) => Math.round(ms * 10) / 10;

/** The one line a webhook call logs: its link, action, outcome, and where its time went. */
export function logCall(logger: Logger, link: string, action: string, call: CallLog): void {
  const [level, message] = OUTCOMES[call.outcome];
  const ms = tenths(performance.now() - call.started);
  logger[level](message, { link, action, outcome: call.outcome, ms, handlerMs: tenths(call.handlerMs), ...call.detail });
}

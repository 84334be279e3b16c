// For session stores with a backend (Redis, KV, Durable Objects): how an outage reaches the log,
// and a bound on how long one request to it may take.
import { describeThrown, type Logger } from "./log.ts";

/**
 * One log line when a store's backend goes away and one when it is back, however many webhook
 * calls fail in between: to whoever reads the log, an outage is one event.
 */
export class OutageLog {
  readonly #logger: Logger;
  readonly #name: string;
  #down = false;

  constructor(logger: Logger, name: string) {
    this.#logger = logger;
    this.#name = name;
  }

  down(error: unknown): void {
    if (this.#down) return;
    this.#down = true;
    this.#logger.error(`${this.#name} unavailable; webhook calls are answered with an apology until it is back`, { error: describeThrown(error) });
  }

  up(): void {
    if (!this.#down) return;
    this.#down = false;
    this.#logger.info(`${this.#name} is back`);
  }
}

/** `work`, failing with `message` once `ms` have passed: a backend that hangs must not keep the caller waiting. */
export async function within<T>(ms: number, message: string, work: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

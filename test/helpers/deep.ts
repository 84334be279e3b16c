// `npm run test:deep` sets TASKCHAIN_TEST_DEEP=1: the long runs (the kill sweep at every write, the
// full runtime × Node and README matrices, big fuzz counts) run whole there, and CI runs it after
// `npm test`. `npm test` takes an even spread of the same cases, so it stays quick enough to run often.
import type { Runtime } from "../../src/spec/spec.js";

export const DEEP = process.env.TASKCHAIN_TEST_DEEP === "1";

/** `count` in the deep run, `quick` otherwise. */
export const runs = (quick: number, count: number): number => (DEEP ? count : quick);

/** All of `items` in the deep run; otherwise `n` of them evenly spread, the first and last included. */
export function spread<T>(items: readonly T[], n: number): T[] {
  if (DEEP || items.length <= n) return [...items];
  const picked = new Set(Array.from({ length: n }, (_, j) => Math.round((j * (items.length - 1)) / Math.max(1, n - 1))));
  return [...picked].map((i) => items[i]!);
}

/**
 * The quick run's sample of the runtime matrix: one runtime of each way a project is deployed (a
 * node process, Workers, Lambda), the default node one. runtimes.test.ts and security.test.ts still
 * install, serve and hold every runtime to the contract. The quick run plays one README, the
 * default runtime's with the ShipStation example; shipstation.test.ts runs the example's own tests
 * on Workers too, whose example differs most.
 */
export const QUICK_RUNTIMES: readonly Runtime[] = ["node", "cloudflare", "lambda"];
export const QUICK_READMES: ReadonlyArray<readonly [Runtime, boolean]> = [["node", true]];
export const QUICK_EXAMPLE_GREEN: readonly Runtime[] = ["cloudflare"];

/** All of `runtimes` in the deep run; otherwise those of them in QUICK_RUNTIMES. */
export const sampleRuntimes = (runtimes: readonly Runtime[]): Runtime[] => (DEEP ? [...runtimes] : runtimes.filter((runtime) => QUICK_RUNTIMES.includes(runtime)));

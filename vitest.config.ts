import { defineConfig } from "vitest/config";

// The e2e files that take an even spread of their cases in `npm test` (see test/helpers/deep.ts).
const SAMPLING = ["test/e2e/kill.test.ts", "test/e2e/fuzz-adapters.test.ts", "test/e2e/readme.test.ts", "test/e2e/deploy.test.ts", "test/e2e/shipstation.test.ts", "test/e2e/edit.test.ts", "test/e2e/sessions-switch.test.ts", "test/e2e/call-boundaries.test.ts", "test/e2e/runtimes.test.ts", "test/e2e/simulate.test.ts", "test/e2e/verify.test.ts", "test/e2e/record-replay.test.ts", "test/e2e/graph-render.test.ts", "test/e2e/fuzz-typecheck.test.ts"];
// Long runs that `npm run test:deep` alone makes: the soak holds a server under load for seconds.
const DEEP_ONLY = ["test/e2e/soak.test.ts"];

export default defineConfig({
  test: {
    globalSetup: ["test/setup/tmpdir.ts"],
    projects: [
      {
        // No daemon, no install, nothing past this process and loopback: fast enough to run on every save.
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          setupFiles: ["test/setup/fast-check.ts"],
          testTimeout: 20_000,
          // Every core: vitest's default leaves one to its main process, which mostly waits here.
          maxWorkers: "100%",
        },
      },
      {
        // What needs a real redis-server, or draws thousands of inputs (the fuzzers): no install.
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          setupFiles: ["test/setup/fast-check.ts"],
          testTimeout: 120_000,
          maxWorkers: "100%",
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          exclude: DEEP_ONLY,
          setupFiles: ["test/setup/fast-check.ts"],
          testTimeout: 600_000,
          hookTimeout: 900_000,
          // e2e suites share one install cache and spawn servers: keep file-level parallelism modest
          maxWorkers: 2,
          fileParallelism: true,
        },
      },
      {
        // The sampled e2e files run whole, and the runs too long for `npm test`.
        test: {
          name: "deep",
          include: [...SAMPLING, ...DEEP_ONLY],
          setupFiles: ["test/setup/fast-check.ts"],
          env: { TASKCHAIN_TEST_DEEP: "1" },
          testTimeout: 600_000,
          hookTimeout: 900_000,
          maxWorkers: 2,
          fileParallelism: true,
        },
      },
    ],
  },
});

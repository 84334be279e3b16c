import { defineConfig } from "vitest/config";

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
        },
      },
      {
        // What needs a real redis-server, or draws thousands of inputs (the fuzzers): no install.
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          setupFiles: ["test/setup/fast-check.ts"],
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          setupFiles: ["test/setup/fast-check.ts"],
          testTimeout: 600_000,
          hookTimeout: 900_000,
          // e2e suites share one install cache and spawn servers: keep file-level parallelism modest
          maxWorkers: 2,
          fileParallelism: true,
        },
      },
      {
        // The e2e files that take an even spread of their cases in `npm test` (see test/helpers/deep.ts), run whole.
        test: {
          name: "deep",
          include: ["test/e2e/kill.test.ts", "test/e2e/fuzz-adapters.test.ts", "test/e2e/readme.test.ts", "test/e2e/deploy.test.ts", "test/e2e/shipstation.test.ts", "test/e2e/edit.test.ts", "test/e2e/sessions-switch.test.ts", "test/e2e/call-boundaries.test.ts"],
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

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    globalSetup: ["test/setup/tmpdir.ts"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts"],
          setupFiles: ["test/setup/fast-check.ts"],
          testTimeout: 20_000,
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
    ],
  },
});

import { defineConfig } from "tsup";

// One entry, code-split: `--help` loads only cli.js + commander; each command's
// heavy dependencies (ts-morph, clack, ejs, zod) arrive with its own chunk.
export default defineConfig({
  entry: { cli: "src/cli.ts" },
  format: "esm",
  target: "node20",
  platform: "node",
  splitting: true,
  clean: false, // parallel test runs rebuild while others read dist/; prepack cleans
  sourcemap: false,
  outDir: "dist",
  external: ["ts-morph", "@clack/prompts", "ejs", "zod", "commander"],
});

import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Plugin } from "esbuild";
import { defineConfig } from "tsup";

// create validates with zod/mini; simulate and verify use the classic API (through the runtime's
// protocol.ts). esbuild splits chunks by file, so zod files both reach would share one chunk holding
// all of classic zod's core, and every scaffold would compile it. zod/mini (and its English locale)
// get a private copy of zod's files instead: create loads ~30 KB of zod, not ~130 KB. The scaffold of
// `npm run bench`, CPU (user+sys) medians, builds with and without it interleaved with create-vite
// (21 and 31 runs): 131.6 and 121.8 ms with it, 139.0 and 128.3 ms without (+5%), create-vite 79.6
// and 77.1 ms. The wall target (≤ 1.5× create-vite) has had less than 5% to spare on this machine.
const ZOD_MINI = "zod-mini";
const zodMiniCopy: Plugin = {
  name: "zod-mini-copy",
  setup(build) {
    build.onResolve({ filter: /^zod\/(mini|v4\/locales\/en\.js)$/ }, async (args) => {
      if (args.pluginData === ZOD_MINI) return undefined;
      const found = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: ZOD_MINI });
      if (found.errors.length) return { errors: found.errors };
      return { path: found.path, namespace: ZOD_MINI };
    });
    build.onResolve({ filter: /^\./, namespace: ZOD_MINI }, (args) => ({ path: path.resolve(args.resolveDir, args.path), namespace: ZOD_MINI }));
    build.onLoad({ filter: /.*/, namespace: ZOD_MINI }, async (args) => ({
      contents: await readFile(args.path, "utf8"),
      loader: "js",
      resolveDir: path.dirname(args.path),
    }));
  },
};

// One entry, code-split: cli.js holds commander (bundled: no node_modules resolution on `--help`);
// each command's chunk brings its own dependencies (zod, ejs, clack, diff bundled in), so `--help`
// loads cli.js alone and `create` never loads ts-morph, which stays external (it bundles TypeScript).
export default defineConfig({
  entry: { cli: "src/cli.ts" },
  format: "esm",
  target: "node20",
  platform: "node",
  splitting: true,
  clean: false, // parallel test runs rebuild while others read dist/; prepack cleans
  sourcemap: false,
  outDir: "dist",
  external: ["ts-morph"],
  noExternal: ["commander", "@clack/prompts", "ejs", "zod", "diff"],
  // Bundled CommonJS (commander, ejs) calls require() for node built-ins. zod jitless: its JIT
  // compiles a fast parser per schema with new Function, which a CLI parsing each schema a few
  // times never earns back (a scaffold measured ~6% faster without it; results are the same).
  banner: {
    js: `import { createRequire as __cjsRequire } from "node:module"; const require = __cjsRequire(import.meta.url); globalThis.__zod_globalConfig ??= { jitless: true };`,
  },
  esbuildPlugins: [zodMiniCopy],
  // The help text, as commander prints it with no terminal (80 columns), for bin/'s `--help` fast
  // path (test/e2e/create-cli.test.ts checks it equals commander's). `--help` of `npm run bench`, CPU
  // medians interleaved with create-vite's (21 runs): 63.2 ms with it, 74.4 ms without, create-vite
  // 72.1 ms: 0.88× and 1.03× (the target is ≤ 1.0×).
  async onSuccess() {
    const { execFileSync } = await import("node:child_process");
    const { writeFileSync } = await import("node:fs");
    writeFileSync("dist/help.txt", execFileSync(process.execPath, ["dist/cli.js", "--help"], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } }));
  },
  // Less source to compile on every start (the zod chunk halves); names stay, so --debug traces read.
  esbuildOptions(options) {
    options.minifyWhitespace = true;
    options.minifySyntax = true;
  },
});

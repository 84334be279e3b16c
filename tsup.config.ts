import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { Plugin } from "esbuild";
import { defineConfig } from "tsup";

// Built-ins bundled code imports, served by small modules that use require(): node:crypto and
// node:child_process (with net, dgram, … behind it) load on the first call of one of their functions
// (only `create --git/--install` spawns; only the staging folder name needs randomBytes), and node:fs
// is bound without Node's ESM facade, which reads every export and so loads fs streams as well.
// Classes and getters other than those listed are not offered: importing one fails the build, loudly.
const nodeRequire = createRequire(path.resolve("package.json"));
function builtinModule(name: string, lazy: boolean): string {
  const mod = nodeRequire(`node:${name}`) as Record<string, unknown>;
  const lines = [`import { createRequire } from "node:module";`, `let m;`, `const load = () => (m ??= createRequire(import.meta.url)("node:${name}"));`];
  for (const key of Object.keys(mod)) {
    const d = Object.getOwnPropertyDescriptor(mod, key)!;
    const fn = /^[a-z]\w*$/.test(key) && (d.get ? ["opendir", "opendirSync", "getRandomValues"].includes(key) : typeof d.value === "function");
    if (fn) lines.push(`export function ${key}(...args) { return load().${key}(...args); }`);
    else if (!lazy && (!d.get || key === "promises") && /^[A-Za-z]\w*$/.test(key)) lines.push(`export const ${key} = load().${key};`);
  }
  lines.push(`export default ${lazy ? `new Proxy({}, { get: (_, key) => load()[key] })` : "load()"};`);
  return lines.join("\n");
}
const BUILTINS: Record<string, boolean> = { child_process: true, crypto: true, fs: false };
const builtins: Plugin = {
  name: "builtins",
  setup(build) {
    build.onResolve({ filter: /^(node:)?(child_process|crypto|fs)$/ }, (args) => ({ path: args.path.replace(/^node:/, ""), namespace: "builtin" }));
    build.onLoad({ filter: /.*/, namespace: "builtin" }, (args) => ({ loader: "js", contents: builtinModule(args.path, BUILTINS[args.path]!) }));
  },
};

// zod's classic API re-exports every locale (`z.locales`, ~500 KB of the bundle); the CLI only
// ever uses English messages, which zod configures itself from locales/en.js.
const zodEnglishOnly: Plugin = {
  name: "zod-english-only",
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)) return undefined;
      return { path: path.join(path.dirname(args.importer), "../locales/en.js"), namespace: "zod-locales" };
    });
    build.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      loader: "js",
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: path.dirname(args.path),
    }));
  },
};

// create validates with zod/mini; simulate and verify use the classic API (through the runtime's
// protocol.ts). esbuild splits chunks by file, so zod files both reach would share one chunk holding
// all of classic zod's core, and every scaffold would compile it. zod/mini (and its English locale)
// get a private copy of zod's files instead: create loads ~30 KB of zod, not ~130 KB.
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
  // Keep `node:` specifiers, so the plugins above see them.
  removeNodeProtocol: false,
  // Bundled CommonJS (commander, ejs) calls require() for node built-ins. zod jitless: its JIT
  // compiles a fast parser per schema with new Function, which a CLI parsing each schema a few
  // times never earns back (a scaffold measured ~6% faster without it; results are the same).
  banner: {
    js: `import { createRequire as __cjsRequire } from "node:module"; const require = __cjsRequire(import.meta.url); globalThis.__zod_globalConfig ??= { jitless: true };`,
  },
  esbuildPlugins: [builtins, zodMiniCopy, zodEnglishOnly],
  // The help text, as commander prints it with no terminal (80 columns), for bin/'s `--help` fast path.
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

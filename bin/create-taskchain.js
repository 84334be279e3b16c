#!/usr/bin/env node
// `--help` alone prints dist/help.txt, commander's own help text captured at build time (tsup.config.ts),
// so it loads nothing else. Anything else, or a terminal that is not 80 columns wide (commander
// wraps to its width), runs the CLI.
import { createRequire } from "node:module";

const args = process.argv.slice(2);
let help;
if (args.length === 1 && (args[0] === "--help" || args[0] === "-h") && !(process.stdout.isTTY && process.stdout.columns !== 80)) {
  try {
    help = createRequire(import.meta.url)("node:fs").readFileSync(new URL("../dist/help.txt", import.meta.url), "utf8");
  } catch {
    // not built with it: the CLI prints the same text
  }
}
if (help === undefined) await import("../dist/cli.js");
else process.stdout.write(help);

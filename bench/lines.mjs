// `node bench/lines.mjs`: how much runtime a user owns. Generates a plain two-link node project with
// the built CLI (run `npm run build` first), counts the non-blank lines of every src/**/*.ts outside
// src/links/, prints them per file and in total, and removes the project again.
//
//   node bench/lines.mjs [--runtime <name>] [--sessions <store>]   another runtime or session store
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(REPO, "bin/create-taskchain.js");
const at = process.argv.indexOf("--runtime");
const runtime = at === -1 ? "node" : process.argv[at + 1];
const storeAt = process.argv.indexOf("--sessions");
const sessions = storeAt === -1 ? undefined : process.argv[storeAt + 1];

/** Every .ts file under `dir`, as paths relative to `root`, sorted. */
function tsFiles(root, dir = root) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...tsFiles(root, full));
    else if (entry.name.endsWith(".ts")) found.push(path.relative(root, full));
  }
  return found.sort();
}

const countLines = (file) => readFileSync(file, "utf8").split("\n").filter((line) => line.trim() !== "").length;

const scratch = mkdtempSync(path.join(os.tmpdir(), "taskchain-lines-"));
try {
  const dir = path.join(scratch, "app");
  const args = [CLI, dir, "--link", "a,b", "--yes", "--no-install", "--no-git", ...(runtime === "node" ? [] : ["--runtime", runtime]), ...(sessions ? ["--sessions", sessions] : [])];
  const made = spawnSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, NO_COLOR: "1", CI: "true" } });
  if (made.status !== 0) throw new Error(`create-taskchain exited ${made.status}:\n${made.stdout}${made.stderr}`);

  const src = path.join(dir, "src");
  const files = tsFiles(src).filter((file) => !file.startsWith(`links${path.sep}`));
  let total = 0;
  for (const file of files) {
    const n = countLines(path.join(src, file));
    total += n;
    console.log(`${String(n).padStart(5)}  src/${file.split(path.sep).join("/")}`);
  }
  console.log(`${String(total).padStart(5)}  total (${runtime} project${sessions ? `, ${sessions} sessions` : ""}, src/ outside src/links/, non-blank lines)`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

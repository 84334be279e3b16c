// Preloaded into the CLI by the kill tests (`node --import`): counts the file-system calls that
// change something and, on the one numbered KILL_AT_OP, sends KILL_SIGNAL to its own process just
// before that call runs: a real signal at an exact point of a write, through no seam of the code
// under test. FS_OPS_FILE: where to write the count at exit (how many points a full run has).
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";

const at = Number(process.env.KILL_AT_OP ?? 0);
const signal = process.env.KILL_SIGNAL ?? "SIGKILL";
const report = process.env.FS_OPS_FILE;
const writeUncounted = fs.writeFileSync;
let count = 0;

function wrap(target, names) {
  for (const name of names) {
    const original = target[name];
    if (typeof original !== "function") throw new Error(`kill-at-op: fs has no ${name}`);
    target[name] = function (...args) {
      if (++count === at) process.kill(process.pid, signal);
      return original.apply(this, args);
    };
  }
}

const CHANGES = ["writeFile", "appendFile", "mkdir", "rename", "rm", "rmdir", "unlink", "copyFile", "symlink", "truncate", "chmod"];
wrap(fs, CHANGES.map((n) => `${n}Sync`));
wrap(fs, CHANGES);
wrap(fs.promises, CHANGES);
syncBuiltinESMExports(); // named ESM imports of node:fs and node:fs/promises see the wrappers too

if (report) process.on("exit", () => writeUncounted(report, String(count)));

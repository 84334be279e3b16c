// Every temp folder a suite makes (its own, the CLI's, npm's, a server's) goes under one folder per
// run, removed when the run ends: a run leaves /tmp as it found it, whatever a test forgot.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export default function setup(): () => void {
  const root = mkdtempSync(path.join(os.tmpdir(), "taskchain-test-run-"));
  // Test workers and every process they start inherit it; os.tmpdir() reads it on each call.
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}

// What create says when it is done: git's outcome, the next steps, and the command that repeats
// the run without prompts.
import { installCommand, runScript, type GitOutcome, type PackageManager } from "../pm.js";
import { formatJson } from "../spec/format-json.js";
import { specFileFor } from "../spec/spec-file.js";
import { DEFAULT_BASE_URL, DEFAULT_TRIGGER, defaultLink, defaultStore, sessionsOf, type LinkSpec, type ProjectSpec } from "../spec/spec.js";
import type { Target } from "../spec/target.js";
import type { CreateOptions } from "./context.js";

/** What a finished run settled, as these messages need it. */
export interface Settled {
  spec: ProjectSpec;
  target: Target;
  install: boolean;
  git: boolean;
  pm: PackageManager;
}

function isDefaultLink(link: LinkSpec): boolean {
  return JSON.stringify(link) === JSON.stringify(defaultLink(link.name));
}

export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The command that repeats this run without prompts, and the spec file it needs (if any). */
export function repeatCommand(r: Settled, options: CreateOptions): { command: string; specJson?: string } {
  const args = ["npx", "create-taskchain", r.target.display];
  let specJson: string | undefined;
  const custom = r.spec.links.some((l) => !isDefaultLink(l));
  if (options.spec !== undefined) args.push("--spec", options.spec);
  else if (custom) {
    specJson = `${formatJson(specFileFor(r.spec))}\n`;
    args.push("--spec", "taskchain.spec.json");
  } else if (options.fromChain !== undefined) args.push("--from-chain", options.fromChain);
  else if (r.spec.links.length) args.push("--link", r.spec.links.map((l) => l.name).join(","));
  if (!specJson) {
    args.push("--runtime", r.spec.runtime, "--example", r.spec.example ?? "none");
    if (sessionsOf(r.spec) !== defaultStore(r.spec.runtime)) args.push("--sessions", sessionsOf(r.spec));
    if (r.spec.baseUrl !== DEFAULT_BASE_URL) args.push("--base-url", r.spec.baseUrl);
    if (r.spec.trigger !== DEFAULT_TRIGGER) args.push("--trigger", r.spec.trigger);
  }
  args.push("--pm", r.pm, r.install ? "--install" : "--no-install", r.git ? "--git" : "--no-git");
  if (options.force) args.push("--force");
  args.push("--yes");
  return { command: args.map(shellQuote).join(" "), ...(specJson ? { specJson } : {}) };
}

export function nextSteps(r: Settled, installed: boolean): string {
  const lines = [];
  if (r.target.display !== ".") lines.push(`cd ${shellQuote(r.target.display)}`);
  if (!installed) lines.push(installCommand(r.pm));
  const dev = runScript(r.pm, "dev");
  const test = runScript(r.pm, "test");
  const width = Math.max(dev.length, test.length) + 3;
  lines.push(
    `${dev.padEnd(width)}serve every link locally (README.md has the details)`,
    `${test.padEnd(width)}the protocol contract, one test file per link`,
    "",
    "Then connect it to Agent4 (README.md, Connect it to Agent4):",
    // The public URL comes first: the server learns its call-ended route's address from it.
    r.spec.baseUrl === DEFAULT_BASE_URL
      ? "  1. npx create-taskchain chain --base-url https://your.host   your public URL"
      : `  1. Public URL ${r.spec.baseUrl} (npx create-taskchain chain --base-url changes it)`,
    "  2. Deploy, with TASKCHAIN_TOKEN set",
    "  3. Add a TaskChain task in Agent4:",
    `       Trigger  ${r.spec.trigger.replace(/\s+/g, " ")}`,
    "       Chain    the output of npx create-taskchain chain --print --with-token",
  );
  return lines.join("\n");
}

export function gitMessage(outcome: GitOutcome, detail: string | undefined): string {
  switch (outcome) {
    case "committed":
      return "Initialised a git repository with a first commit";
    case "no-identity":
      return 'Initialised a git repository with the files staged, but no first commit: git has no user.name/user.email; set them (git config --global user.name "Your Name", git config --global user.email you@example.com), then run git commit -m "Initial commit"';
    case "initialised":
      return `Initialised a git repository, but no first commit (${detail}): commit the files yourself`;
    case "inside-repository":
      return "Inside an existing git repository: no new one";
    case "unavailable":
      return "git is not installed: no repository";
    case "failed":
      return `git init failed: ${detail}`;
  }
}


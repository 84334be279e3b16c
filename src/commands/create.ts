// `create-taskchain [dir]`: flags / spec file / chain file / prompts → validated ProjectSpec →
// change set → one atomic commit → git, install, next steps. Nothing is written before the spec
// is complete and valid.
import { existsSync, readFileSync, statSync } from "node:fs";
import { rmdir } from "node:fs/promises";
import path from "node:path";
import { styleText } from "node:util";
import { CancelledError, UserError } from "../errors.js";
import { ChangeSet, commitInPlace, commitNewProject, describeChanges, isEmptyDir, recover, type CommitHooks } from "../fs/changeset.js";
import { EXAMPLE_FEATURES } from "../generate/features.js";
import { generateProject, mergeGitignore, mergePackageJson } from "../generate/project.js";
import { PACKAGE_MANAGERS, detectPackageManager, gitInit, install, installCommand, onPath, runScript, type GitOutcome, type PackageManager } from "../pm.js";
import { assertChainNames, splitLinkFlags } from "../spec/names.js";
import { baseUrlProblem, normalizeBaseUrl } from "../spec/base-url.js";
import { parseChain } from "../spec/chain-file.js";
import { formatJson } from "../spec/format-json.js";
import { readJsonFile } from "../spec/json-text.js";
import { parseSpec, specFileFor } from "../spec/spec-file.js";
import { resolveTarget, type Target } from "../spec/target.js";
import {
  DEFAULT_BASE_URL,
  DEFAULT_TRIGGER,
  EXAMPLES,
  ProjectSpecSchema,
  RUNTIMES,
  triggerProblem,
  defaultParameters,
  defaultPrompt,
  type Example,
  type LinkSpec,
  type ProjectSpec,
  type Runtime,
} from "../spec/spec.js";

export interface CreateOptions {
  dir?: string | undefined;
  link?: string[] | string | undefined;
  runtime?: string | undefined;
  example?: string | undefined;
  spec?: string | undefined;
  fromChain?: string | undefined;
  baseUrl?: string | undefined;
  trigger?: string | undefined;
  pm?: string | undefined;
  install?: boolean | undefined;
  git?: boolean | undefined;
  yes?: boolean | undefined;
  dryRun?: boolean | undefined;
  force?: boolean | undefined;
}

/** Seams for tests; the CLI passes none. */
export interface CreateDeps {
  cwd?: string;
  /** Default: stdin and stdout are TTYs and --yes was not given. */
  interactive?: boolean;
  hooks?: CommitHooks;
  out?: (text: string) => void;
}

const color = (format: Parameters<typeof styleText>[0], text: string): string => styleText(format, text);

function exampleLinks(example: Example | undefined): string[] {
  return example ? [...(EXAMPLE_FEATURES[example].links ?? [])] : [];
}

function assertNames(names: readonly string[], example: Example | undefined): void {
  assertChainNames(names, example ? { name: example, links: exampleLinks(example) } : undefined);
}

function defaultLink(name: string): LinkSpec {
  return { name, prompt: defaultPrompt(name), parameters: defaultParameters() };
}

function isDefaultLink(link: LinkSpec): boolean {
  return JSON.stringify(link) === JSON.stringify(defaultLink(link.name));
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UserError(`${flag} "${value}" is not one of ${allowed.join(", ")}`);
  return value as T;
}

/** Turns the plain "create everything" set into edits of what already sits in a --force target. */
function overExisting(set: ChangeSet, root: string): ChangeSet {
  const out = new ChangeSet(root);
  for (const change of set.changes) {
    if (change.kind !== "create") continue;
    const file = path.join(root, change.path);
    if (!existsSync(file)) {
      out.create(change.path, change.content, change.mode);
      continue;
    }
    if (!statSync(file).isFile()) throw new UserError(`${change.path} exists in the target and is not a file; move it away first`);
    const before = readFileSync(file, "utf8");
    // Replacing these would lose the user's dependencies and scripts, or stop ignoring their secrets.
    const merged = change.path === "package.json" ? mergePackageJson(before, change.content) : change.path === ".gitignore" ? mergeGitignore(before, change.content) : change.content;
    out.update(change.path, before, merged);
  }
  return out;
}

/** `src/links/a.ts` → ["src", "src/links"]. */
function ancestors(file: string): string[] {
  const parts = file.split("/").slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join("/"));
}

function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export interface Resolved {
  spec: ProjectSpec;
  target: Target;
  install: boolean;
  git: boolean;
  pm: PackageManager;
  interactive: boolean;
  /** Said before writing: what the run chose that the user may not expect. */
  notes: string[];
}

/** Every answer, from flags, files and (on a TTY) prompts, validated. Writes nothing. */
export async function resolveCreate(options: CreateOptions, deps: CreateDeps = {}): Promise<Resolved> {
  const cwd = deps.cwd ?? process.cwd();
  // --yes first: touching process.stdin builds its stream, a cost --yes runs need not pay. Prompts
  // written into a pipe (`create-taskchain > log`) would wait for answers to questions nobody sees.
  const interactive = deps.interactive ?? (!options.yes && Boolean(process.stdin.isTTY) && Boolean(process.stdout.isTTY));
  const force = Boolean(options.force);

  // Flags and files first: a typo fails before a single question is asked.
  if (options.spec !== undefined && options.fromChain !== undefined) throw new UserError("pass --spec or --from-chain, not both");
  const flagLinks = splitLinkFlags(options.link);
  if (options.link !== undefined && flagLinks.length === 0) throw new UserError("--link needs at least one name, like --link pin_vetting,sms_vetting");
  if (flagLinks.length && (options.spec !== undefined || options.fromChain !== undefined)) {
    throw new UserError(`--link cannot be combined with ${options.spec !== undefined ? "--spec" : "--from-chain"}: the file already names the links`);
  }
  const runtimeFlag = oneOf("--runtime", options.runtime, RUNTIMES);
  const exampleFlag = oneOf("--example", options.example, [...EXAMPLES, "none"] as const);
  const pm = oneOf("--pm", options.pm, PACKAGE_MANAGERS) ?? detectPackageManager();
  // An install that could not even start is refused now, before anything is written.
  const pmMissing = !options.dryRun && options.install !== false && !onPath(pm);
  if (pmMissing && (options.install === true || !interactive)) {
    throw new UserError(`${pm} is not installed, so it cannot install the dependencies: install it, pick another with --pm, or pass --no-install`);
  }
  if (options.baseUrl !== undefined) {
    const problem = baseUrlProblem(options.baseUrl);
    if (problem) throw new UserError(`--base-url ${problem}`);
  }
  if (options.trigger !== undefined) {
    const problem = triggerProblem(options.trigger);
    if (problem) throw new UserError(`--trigger ${problem}`);
  }
  const specFile = options.spec !== undefined ? parseSpec(readJsonFile(options.spec, cwd, "spec file"), options.spec) : undefined;
  const chainFile = options.fromChain !== undefined ? parseChain(readJsonFile(options.fromChain, cwd, "chain file"), options.fromChain) : undefined;
  const target = options.dir !== undefined ? resolveTarget(options.dir, cwd, force) : undefined;

  const runtime = runtimeFlag ?? specFile?.runtime;
  const example: Example | null | undefined = exampleFlag === "none" ? null : (exampleFlag ?? specFile?.example);
  const baseUrl = options.baseUrl ?? specFile?.baseUrl ?? chainFile?.baseUrl;
  const trigger = options.trigger ?? specFile?.trigger;
  const names = flagLinks.length ? flagLinks : chainFile?.names;
  // Endpoints on different hosts or paths cannot all be <base>/<link>: say so rather than quietly
  // pointing chain.json at the placeholder.
  const unshared = baseUrl === undefined ? chainFile?.unsharedEndpoints : undefined;
  const baseUrlNote = unshared
    ? `${options.fromChain}: its endpoints (${unshared.slice(0, 3).join(", ")}${unshared.length > 3 ? ", …" : ""}) share no base URL, and one server serves every link at <base>/<link>`
    : undefined;
  if (names) assertNames(names, example ?? undefined);
  if (specFile) {
    if (specFile.links.length === 0 && !example) throw new UserError(`${options.spec}: links is empty: list the chain's links in order (or pass --example)`);
    assertNames(specFile.links.map((l) => l.name), example ?? undefined);
  }

  let answers: { target: Target; links: LinkSpec[]; runtime: Runtime; example: Example | undefined; baseUrl: string; trigger: string; install: boolean; git: boolean };
  if (interactive) {
    const prompts = await import("../prompts/create.js");
    answers = await prompts.askCreate({
      ...(target ? { target } : {}),
      ...(specFile ? { links: specFile.links } : {}),
      ...(names ? { linkNames: names } : {}),
      ...(runtime ? { runtime } : {}),
      ...(example !== undefined ? { example } : {}),
      exampleLinks,
      ...(baseUrl !== undefined ? { baseUrl } : {}),
      ...(trigger !== undefined ? { trigger } : {}),
      // A dry run installs nothing and makes no repository: not worth a question.
      ...(options.dryRun ? { install: false, git: false, dryRun: true } : {}),
      ...(options.install !== undefined && !options.dryRun ? { install: options.install } : {}),
      ...(options.git !== undefined && !options.dryRun ? { git: options.git } : {}),
      ...(baseUrlNote ? { baseUrlNote } : {}),
      pm,
      pmMissing,
      cwd,
      force,
    });
  } else {
    const links = specFile?.links ?? names?.map(defaultLink);
    // Never a prompt here: name what is missing and the flags that give it, in one line.
    const needLinks = !links && exampleLinks(example ?? undefined).length === 0;
    if (!target || needLinks) {
      const missing = [!target ? "the project directory" : "", needLinks ? "the links" : ""].filter(Boolean).join(" and ");
      const how = [!target ? "<dir>" : "", needLinks ? "--link <names> (or --spec <file>, --from-chain <file>)" : ""].filter(Boolean).join(" and ");
      throw new UserError(`missing ${missing}: pass ${how}${options.yes ? "" : ", or run in a terminal to be asked"}`);
    }
    answers = {
      target,
      links: links ?? [],
      runtime: runtime ?? "node",
      example: example ?? undefined,
      baseUrl: baseUrl ?? DEFAULT_BASE_URL,
      trigger: trigger ?? DEFAULT_TRIGGER,
      install: options.install ?? true,
      git: options.git ?? true,
    };
  }

  assertNames(answers.links.map((l) => l.name), answers.example);
  const parsed = ProjectSpecSchema.safeParse({
    packageName: answers.target.packageName,
    runtime: answers.runtime,
    baseUrl: normalizeBaseUrl(answers.baseUrl),
    trigger: answers.trigger,
    ...(answers.example ? { example: answers.example } : {}),
    links: answers.links,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`invalid project: ${issue.path.join(".")}: ${issue.message}`);
  }
  const notes = !interactive && baseUrlNote ? [`${baseUrlNote}: chain.json uses ${DEFAULT_BASE_URL} until you pass --base-url`] : [];
  return { spec: parsed.data, target: answers.target, install: answers.install, git: answers.git, pm, interactive, notes };
}

/** The command that repeats this run without prompts, and the spec file it needs (if any). */
export function repeatCommand(r: Resolved, options: CreateOptions): { command: string; specJson?: string } {
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
    if (r.spec.baseUrl !== DEFAULT_BASE_URL) args.push("--base-url", r.spec.baseUrl);
    if (r.spec.trigger !== DEFAULT_TRIGGER) args.push("--trigger", r.spec.trigger);
  }
  args.push("--pm", r.pm, r.install ? "--install" : "--no-install", r.git ? "--git" : "--no-git");
  if (options.force) args.push("--force");
  args.push("--yes");
  return { command: args.map(shellQuote).join(" "), ...(specJson ? { specJson } : {}) };
}

function nextSteps(r: Resolved, installed: boolean): string {
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
    "Then in Agent4 (after deploying, with TASKCHAIN_TOKEN set), add a TaskChain task:",
    `  Trigger  ${r.spec.trigger.replace(/\s+/g, " ")}`,
    "  Chain    the output of npx create-taskchain chain --print --with-token",
    "  Moved?   npx create-taskchain chain --base-url https://your.host rewrites chain.json",
  );
  return lines.join("\n");
}

/** A file-system refusal while writing, as the one line it deserves (not "unexpected error"). */
function writeError(error: unknown, display: string): unknown {
  const e = error as NodeJS.ErrnoException;
  if (error instanceof UserError || typeof e?.code !== "string" || !/^E[A-Z]+$/.test(e.code) || typeof e.message !== "string") return error;
  // "EACCES: permission denied, mkdir '/x/.p.taskchain-1a2b3c4d'": the staging path means nothing to the user.
  const why = e.message.replace(/^E[A-Z]+: /, "").replace(/, \w+ '.*$/s, "");
  return new UserError(`cannot write ${display}: ${why} (${e.code}); nothing was written`);
}

function gitMessage(outcome: GitOutcome, detail: string | undefined): string {
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

export async function run(options: CreateOptions, deps: CreateDeps = {}): Promise<number> {
  const out = deps.out ?? ((text: string) => void process.stdout.write(text));
  const r = await resolveCreate(options, deps);
  const ui = r.interactive ? await import("../prompts/create.js") : undefined;
  for (const note of r.notes) process.stderr.write(`note: ${note}\n`);

  let set = generateProject(r.spec, r.target.root);
  // A folder that exists (empty, or full with --force) is written in place, keeping its inode: a
  // shell sitting in it (`create-taskchain .`) still sees the project afterwards.
  const inPlace = existsSync(r.target.root);
  // A create a kill interrupted in this folder is finished or discarded first, so the folder is
  // judged (and --force edits it) as it really is, not with a journal or half the files in it.
  if (inPlace) await recover(r.target.root);
  if (inPlace && !(await isEmptyDir(r.target.root))) {
    if (!options.force) throw new UserError(`${r.target.display} is not empty: pick a new directory, or pass --force to write into it`);
    set = overExisting(set, r.target.root);
  }

  if (options.dryRun) {
    ui?.outro("Dry run: the files it would write");
    out(`${await describeChanges(set)}\n`);
    out(`${color("dim", `dry run: ${set.size} files for ${r.target.root}; nothing was written`)}\n`);
    return 0;
  }

  if (inPlace) {
    // The journal rolls files back; folders it had to create for them are removed here.
    const newDirs = [...new Set(set.changes.flatMap((c) => ancestors(c.path)))].filter((d) => !existsSync(path.join(r.target.root, d)));
    try {
      await commitInPlace(set, deps.hooks);
    } catch (error) {
      for (const dir of newDirs.sort((a, b) => b.length - a.length)) await rmdir(path.join(r.target.root, dir)).catch(() => undefined);
      throw writeError(error, r.target.display);
    }
  } else {
    // commitNewProject creates missing parents (`a/b/project`); a failure takes them away again.
    const missing: string[] = [];
    for (let dir = path.dirname(r.target.root); !existsSync(dir); dir = path.dirname(dir)) missing.push(dir);
    try {
      await commitNewProject(set, deps.hooks);
    } catch (error) {
      for (const dir of missing) await rmdir(dir).catch(() => undefined);
      throw writeError(error, r.target.display);
    }
  }
  const linkNames = [...r.spec.links.map((l) => l.name), ...exampleLinks(r.spec.example)];
  const created = `Created ${r.target.display === "." ? r.target.root : r.target.display}: ${linkNames.join(" → ")} on ${r.spec.runtime}${r.spec.example ? ` with the ${r.spec.example} example` : ""}`;
  if (ui) ui.info(created);
  else out(`${color("green", "✔")} ${created}\n`);

  let installed = false;
  if (r.install) {
    const cmd = installCommand(r.pm);
    const result = ui
      ? await ui.withSpinner(`Installing dependencies (${cmd})`, "Dependencies installed", `${cmd} failed`, () => install(r.pm, r.target.root))
      : (out(`Installing dependencies (${cmd})…\n`), await install(r.pm, r.target.root));
    if (!result.ok) {
      const cd = r.target.display === "." ? "" : `cd ${shellQuote(r.target.display)} && `;
      if (result.interrupted) throw new CancelledError(`Install cancelled; the project is complete in ${r.target.display}: run \`${cd}${cmd}\` to finish it`);
      if (result.output) process.stderr.write(`${result.output}\n`);
      throw new UserError(`${cmd} failed; the project is complete in ${r.target.display}: fix the cause and run \`${cd}${cmd}\``);
    }
    installed = true;
  }

  // After the install, so the first commit holds the lockfile it wrote.
  if (r.git) {
    const g = gitInit(r.target.root);
    const message = gitMessage(g.outcome, g.detail);
    if (ui) (g.outcome === "committed" || g.outcome === "inside-repository" ? ui.info : ui.warn)(message);
    else out(`${message}\n`);
  }

  const steps = nextSteps(r, installed);
  if (ui) {
    ui.note(steps, "Next steps");
    ui.outro("Done.");
    // Plain text after the frame, so it copies cleanly.
    const repeat = repeatCommand(r, options);
    out(
      repeat.specJson
        ? `To repeat this without prompts, save your links, prompts and parameters as taskchain.spec.json:\n\n${repeat.specJson}\nand run:\n\n  ${repeat.command}\n`
        : `To repeat this without prompts:\n\n  ${repeat.command}\n`,
    );
  } else {
    out(`\nNext steps:\n${steps.replace(/^(?=.)/gm, "  ")}\n`);
  }
  return 0;
}


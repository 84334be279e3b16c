// `create-taskchain [dir]`: flags / spec file / chain file / prompts → validated ProjectSpec →
// change set → one atomic commit → git, install, next steps. Nothing is written before the spec
// is complete and valid.
import { styleText } from "node:util";
import { CancelledError, UserError } from "../errors.js";
import { describeChanges, type CommitHooks } from "../fs/changeset.js";
import { generateProject } from "../generate/project.js";
import { gitInit, install, installCommand, type PackageManager } from "../pm.js";
import { normalizeBaseUrl } from "../spec/base-url.js";
import { DEFAULT_BASE_URL, ProjectSpecSchema, type ProjectSpec } from "../spec/spec.js";
import type { Target } from "../spec/target.js";
import { assertNames, createContext, exampleLinks, type CreateOptions } from "../create/context.js";
import { gitMessage, nextSteps, repeatCommand, shellQuote } from "../create/finish.js";
import { answerAll } from "../create/steps.js";
import { planWrite, writeProject } from "../create/write.js";

export type { CreateOptions } from "../create/context.js";
export { repeatCommand } from "../create/finish.js";

/** Seams for tests; the CLI passes none. */
export interface CreateDeps {
  cwd?: string;
  /** Default: stdin and stdout are TTYs and --yes was not given. */
  interactive?: boolean;
  hooks?: CommitHooks;
  out?: (text: string) => void;
}

const color = (format: Parameters<typeof styleText>[0], text: string): string => styleText(format, text);

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
  // --yes first: touching process.stdin builds its stream, a cost --yes runs need not pay. Prompts
  // written into a pipe (`create-taskchain > log`) would wait for answers to questions nobody sees.
  const interactive = deps.interactive ?? (!options.yes && Boolean(process.stdin.isTTY) && Boolean(process.stdout.isTTY));
  // Flags and files first: a typo fails before a single question is asked.
  const ctx = await createContext(options, deps.cwd ?? process.cwd(), interactive);
  ctx.ui?.intro("create-taskchain");
  const answers = await answerAll(ctx);
  if (Array.isArray(answers)) {
    // Never a prompt here: name what is missing and the flags that give it, in one line.
    const what = answers.map((m) => m.what).join(" and ");
    const pass = answers.map((m) => m.pass).join(" and ");
    throw new UserError(`missing ${what}: pass ${pass}${options.yes ? "" : ", or run in a terminal to be asked"}`);
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
  if (ctx.ui) await ctx.ui.confirmCreate(answers, ctx.ui.summary(answers, ctx.pm, exampleLinks(answers.example), ctx.pmMissing), Boolean(options.dryRun));
  const notes = !interactive && ctx.baseUrlNote ? [`${ctx.baseUrlNote}: chain.json uses ${DEFAULT_BASE_URL} until you pass --base-url`] : [];
  return { spec: parsed.data, target: answers.target, install: answers.install, git: answers.git, pm: ctx.pm, interactive, notes };
}

export async function run(options: CreateOptions, deps: CreateDeps = {}): Promise<number> {
  const out = deps.out ?? ((text: string) => void process.stdout.write(text));
  const r = await resolveCreate(options, deps);
  const ui = r.interactive ? await import("../prompts/create.js") : undefined;
  for (const note of r.notes) process.stderr.write(`note: ${note}\n`);

  const { set, inPlace } = await planWrite(generateProject(r.spec, r.target.root), r.target, Boolean(options.force));
  if (options.dryRun) {
    ui?.outro("Dry run: the files it would write");
    out(`${await describeChanges(set)}\n`);
    out(`${color("dim", `dry run: ${set.size} files for ${r.target.root}; nothing was written`)}\n`);
    return 0;
  }
  await writeProject(set, r.target, inPlace, deps.hooks);
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


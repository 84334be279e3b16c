// add-link: options → (prompts on a TTY) → plan (ts-morph, parse only) → change set → commit.
import { UserError } from "../errors.js";
import { describeChanges } from "../fs/changeset.js";
import { commitInPlace } from "../fs/journal.js";
import { planAddLink } from "../edit/add-link.js";
import { openProject } from "../edit/project.js";
import { parametersFromFlags } from "../spec/param-flag.js";
import { OUTCOMES } from "../protocol/outcomes.js";
import { defaultPrompt, LinkSpecSchema, type LinkSpec } from "../spec/spec.js";

export interface AddLinkOptions {
  name: string;
  cwd?: string;
  after?: string;
  before?: string;
  prompt?: string;
  qualified?: string[];
  disqualified?: string[];
  interrupt?: string[];
  yes?: boolean;
  dryRun?: boolean;
}

export async function run(options: AddLinkOptions): Promise<number> {
  // Finishes a commit a kill interrupted before anything is read.
  const project = await openProject(options.cwd ?? process.cwd());
  // Flags are checked before the (slower) registry work, prompts only after it succeeded.
  let parameters = parametersFromFlags({ qualified: options.qualified, disqualified: options.disqualified, interrupt: options.interrupt });
  const plan = await planAddLink(project, options.name, { after: options.after, before: options.before });
  let prompt = options.prompt ?? defaultPrompt(options.name);
  const given = options.prompt !== undefined || OUTCOMES.some((o) => options[o]?.length);
  if (!options.yes && !given && process.stdin.isTTY && process.stdout.isTTY) {
    ({ prompt, parameters } = await ask(options.name, prompt));
  }
  const parsed = LinkSpecSchema.safeParse({ name: options.name, prompt, parameters });
  if (!parsed.success) throw new UserError(`link "${options.name}": ${parsed.error.issues[0]?.message ?? "invalid"}`);
  const set = plan.build(parsed.data);
  if (options.dryRun) {
    process.stdout.write(`${await describeChanges(set, { diff: true })}\n(dry run: nothing was written)\n`);
    return 0;
  }
  await commitInPlace(set);
  const where = plan.index === 0 ? "first" : `after ${plan.names[plan.index - 1]}`;
  process.stdout.write(`Added link "${options.name}" (${where}; chain: ${plan.names.join(" → ")})\n${await describeChanges(set)}\nNext: write its handler in src/links/${options.name}.ts and run your tests.\n`);
  return 0;
}

/** The link's prompt and parameters, asked on a TTY as create asks them. Nothing is written while asking. */
async function ask(name: string, suggested: string): Promise<Pick<LinkSpec, "prompt" | "parameters">> {
  const ui = await import("../prompts/create.js");
  ui.intro(`add-link ${name}`);
  const { prompt, parameters } = await ui.askLink(name, suggested);
  ui.outro(`Adding link "${name}"`);
  return { prompt, parameters };
}

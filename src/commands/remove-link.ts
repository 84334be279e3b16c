import { describeChanges } from "../fs/changeset.js";
import { commitInPlace } from "../fs/journal.js";
import { planRemoveLink } from "../edit/remove-link.js";
import { openProject } from "../edit/project.js";

export interface RemoveLinkOptions {
  name: string;
  cwd?: string;
  force?: boolean;
  dryRun?: boolean;
}

export async function run(options: RemoveLinkOptions): Promise<number> {
  // Finishes a commit a kill interrupted before anything is read.
  const project = await openProject(options.cwd ?? process.cwd());
  const { set, dangling } = await planRemoveLink(project, options.name, Boolean(options.force));
  if (options.dryRun) {
    process.stdout.write(`${await describeChanges(set, { diff: true })}\n(dry run: nothing was written)\n`);
    return 0;
  }
  await commitInPlace(set);
  process.stdout.write(`Removed link "${options.name}"\n${await describeChanges(set)}\n`);
  if (dangling.length) process.stderr.write(`warning: still referenced (fix these before type-checking): ${dangling.join("; ")}\n`);
  return 0;
}

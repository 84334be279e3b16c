import { commitInPlace, describeChanges, recover } from "../fs/changeset.js";
import { planRemoveLink } from "../edit/operations.js";
import { findProject } from "../edit/project.js";

export interface RemoveLinkOptions {
  name: string;
  cwd?: string;
  force?: boolean;
  dryRun?: boolean;
}

export async function run(options: RemoveLinkOptions): Promise<number> {
  const project = findProject(options.cwd ?? process.cwd());
  // Finish a commit a kill interrupted before reading anything: planning from a half-applied
  // project fails, or computes its change from stale files.
  await recover(project.root);
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

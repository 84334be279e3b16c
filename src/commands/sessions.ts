// sessions: move a project's sessions to another store (memory, redis, dynamodb; kv, durable-object) in one change set.
import { describeChanges } from "../fs/changeset.js";
import { commitInPlace } from "../fs/journal.js";
import { openProject } from "../edit/project.js";
import { planSessions } from "../edit/sessions.js";

export interface SessionsOptions {
  store: string;
  cwd?: string;
  force?: boolean;
  dryRun?: boolean;
}

export async function run(options: SessionsOptions): Promise<number> {
  // Finishes a commit a kill interrupted before anything is read.
  const project = await openProject(options.cwd ?? process.cwd());
  const plan = planSessions(project, options.store, Boolean(options.force));
  if (plan.set.size === 0) {
    process.stdout.write(`Sessions already live in ${plan.to}: nothing to change\n`);
    return 0;
  }
  if (options.dryRun) {
    process.stdout.write(`${await describeChanges(plan.set, { diff: true })}\n(dry run: nothing was written)\n`);
    return 0;
  }
  await commitInPlace(plan.set);
  process.stdout.write(`Sessions moved from ${plan.from} to ${plan.to}\n${await describeChanges(plan.set)}\nNext: npm install (package.json's dependencies changed), then run your tests.\n`);
  return 0;
}

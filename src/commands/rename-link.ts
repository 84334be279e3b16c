import { describeChanges } from "../fs/changeset.js";
import { commitInPlace } from "../fs/journal.js";
import { planRenameLink } from "../edit/rename-link.js";
import { openProject } from "../edit/project.js";

export interface RenameLinkOptions {
  from: string;
  to: string;
  cwd?: string;
  dryRun?: boolean;
}

export async function run(options: RenameLinkOptions): Promise<number> {
  // Finishes a commit a kill interrupted before anything is read.
  const project = await openProject(options.cwd ?? process.cwd());
  const { set, updatedRefs, moves } = await planRenameLink(project, options.from, options.to);
  if (options.dryRun) {
    // A moved file is a delete plus a create in the change set; show what changes inside it too.
    const { createTwoFilesPatch } = await import("diff");
    const byPath = new Map(set.changes.map((c) => [c.path, c]));
    const patches = moves.map(({ from, to }) => {
      const gone = byPath.get(from);
      const made = byPath.get(to);
      if (gone?.kind !== "delete" || made?.kind !== "create") return "";
      return `rename  ${from} → ${to}\n${createTwoFilesPatch(`a/${from}`, `b/${to}`, gone.before, made.content, undefined, undefined, { context: 3 }).split("\n").slice(1).join("\n").trimEnd()}\n`;
    });
    process.stdout.write(`${await describeChanges(set, { diff: true })}\n${patches.join("")}(dry run: nothing was written)\n`);
    return 0;
  }
  await commitInPlace(set);
  const refs = updatedRefs.length ? ` and ${updatedRefs.length} switchTask() reference${updatedRefs.length === 1 ? "" : "s"}` : "";
  process.stdout.write(`Renamed link "${options.from}" to "${options.to}"${refs}\n${await describeChanges(set)}\n`);
  return 0;
}

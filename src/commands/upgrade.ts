// `create-taskchain upgrade`: the project's owned files brought to this version's templates.
import { describeChanges } from "../fs/changeset.js";
import { commitInPlace } from "../fs/journal.js";
import { planUpgrade, type KeptFile } from "../edit/upgrade.js";
import { openProject } from "../edit/project.js";
import { CLI_VERSION } from "../version.js";

export interface UpgradeOptions {
  cwd?: string;
  dryRun?: boolean;
  diff?: boolean;
  /** Owned files to replace even though they were edited. */
  force?: string[];
}

async function keptReport(kept: readonly KeptFile[]): Promise<string[]> {
  if (kept.length === 0) return [];
  const { createTwoFilesPatch } = await import("diff");
  const lines = [
    "",
    `Left as you have them (${kept.length}): create-taskchain's current version differs from yours.`,
    // The rest of the runtime moved on around them, so an edited file can stop fitting it.
    "If the project no longer type-checks, take the current version with --force and apply your edit to it again.",
  ];
  for (const { file, current, yours } of kept) {
    if (yours === undefined) lines.push("", `${file}: you deleted it; upgrade leaves it out (--force ${file} brings it back)`);
    else if (current === undefined) lines.push("", `${file}: create-taskchain ${CLI_VERSION} no longer writes it; you edited it, so it stays (--force ${file} deletes it)`);
    else {
      const patch = createTwoFilesPatch(`${file} (yours)`, `${file} (create-taskchain ${CLI_VERSION})`, yours, current, undefined, undefined, { context: 3 });
      lines.push("", `${file}: you edited it. To take the current version: npx create-taskchain upgrade --force ${file}`, ...patch.split("\n").slice(1).filter((l) => l !== ""));
    }
  }
  return lines;
}

export async function run(options: UpgradeOptions): Promise<number> {
  // Finishes a commit a kill interrupted before anything is read.
  const project = await openProject(options.cwd ?? process.cwd());
  const { set, kept, from } = planUpgrade(project, options.force ?? []);
  const changed = set.changes.filter((change) => change.path !== "package.json").length;
  const heading = `create-taskchain ${CLI_VERSION}${from ? ` (the project was written by ${from})` : " (the project records no version: files equal to a version create-taskchain wrote count as unedited)"}`;
  const report = [heading, changed ? await describeChanges(set, { diff: Boolean(options.diff) }) : "The owned files are current.", ...(await keptReport(kept))];
  if (options.dryRun) {
    process.stdout.write(`${report.join("\n")}\n(dry run: nothing was written)\n`);
    return 0;
  }
  await commitInPlace(set);
  process.stdout.write(`${report.join("\n")}\n`);
  if (set.changes.some((change) => change.path === "package.json")) process.stdout.write("\nThen: npm install (the CLI pin or dependencies changed), and npm test.\n");
  return 0;
}

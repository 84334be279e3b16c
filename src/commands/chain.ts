// chain: chain.json from the code (static; the user's code never runs). --check is for CI.
import { commitInPlace } from "../fs/changeset.js";
import { CHAIN_JSON, planChain } from "../edit/operations.js";
import { openProject } from "../edit/project.js";

export interface ChainOptions {
  cwd?: string;
  baseUrl?: string;
  check?: boolean;
}

export async function run(options: ChainOptions): Promise<number> {
  // Finishes a commit a kill interrupted before anything is read.
  const project = await openProject(options.cwd ?? process.cwd());
  const { set, note, status } = await planChain(project, options.baseUrl);
  const stale = status.current !== status.expected;
  const unionProblems = [
    ...status.unionMissing.map((n) => `LinkName in ${status.registry.rel} lacks "${n}", a link of the chain`),
    ...status.unionExtra.map((n) => `LinkName in ${status.registry.rel} lists "${n}", which is not a link of the chain`),
  ];
  if (options.check) {
    const problems: string[] = [];
    if (stale) {
      const { createTwoFilesPatch } = await import("diff");
      const patch = createTwoFilesPatch(`a/${CHAIN_JSON}`, `b/${CHAIN_JSON}`, status.current ?? "", status.expected, "on disk", "from the code", { context: 3 });
      problems.push(status.current === undefined ? `${CHAIN_JSON} is missing` : `${CHAIN_JSON} is stale:\n${patch.split("\n").slice(1).join("\n").trimEnd()}`);
    }
    problems.push(...unionProblems, ...status.dangling);
    if (problems.length) {
      process.stderr.write(`${problems.join("\n")}\nRun \`create-taskchain chain\` to rewrite ${CHAIN_JSON} and LinkName from the code.\n`);
      return 1;
    }
    process.stdout.write(`${CHAIN_JSON} is up to date (${status.names.length} links: ${status.names.join(", ")})\n`);
    return 0;
  }
  await commitInPlace(set);
  const what = set.size ? set.changes.map((c) => `${c.kind === "create" ? "created" : "updated"} ${c.path}`).join(", ") : `${CHAIN_JSON} was already up to date`;
  process.stdout.write(`${what} (${status.names.length} links: ${status.names.join(", ")})\n`);
  if (note) process.stderr.write(`${note}\n`);
  if (status.dangling.length) process.stderr.write(`warning: ${status.dangling.join("\nwarning: ")}\n`);
  return 0;
}

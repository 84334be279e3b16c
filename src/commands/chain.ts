// chain: chain.json from the code (static; the user's code never runs). --check is for CI.
import { ChangeSet, commitInPlace, recover } from "../fs/changeset.js";
import { CHAIN_JSON, chainStatus } from "../edit/operations.js";
import { findProject, readText, withBaseUrl } from "../edit/project.js";
import { REGISTRY } from "../edit/registry.js";

export interface ChainOptions {
  cwd?: string;
  baseUrl?: string;
  check?: boolean;
}

export async function run(options: ChainOptions): Promise<number> {
  const project = findProject(options.cwd ?? process.cwd());
  // Finish a commit a kill interrupted before reading anything: planning from a half-applied
  // project fails, or computes its change from stale files.
  await recover(project.root);
  const status = await chainStatus(project, options.baseUrl);
  const stale = status.current !== status.expected;
  const unionProblems = [
    ...status.unionMissing.map((n) => `LinkName in ${REGISTRY} lacks "${n}", a link of the chain`),
    ...status.unionExtra.map((n) => `LinkName in ${REGISTRY} lists "${n}", which is not a link of the chain`),
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
  const set = new ChangeSet(project.root);
  if (status.current === undefined) set.create(CHAIN_JSON, status.expected);
  else set.update(CHAIN_JSON, status.current, status.expected);
  set.update(REGISTRY, status.registry.before, status.registry.after);
  // A new --base-url becomes the project's configured one, so add-link and --check agree with it.
  const base = options.baseUrl?.replace(/\/+$/, "");
  let note = "";
  if (base && base !== project.baseUrl.replace(/\/+$/, "")) {
    const pkg = readText(project.root, "package.json")!;
    const next = withBaseUrl(pkg, base);
    if (next) set.update("package.json", pkg, next);
    else note = `note: set "taskchain".baseUrl in package.json to ${base} yourself, or pass --base-url to every chain --check\n`;
  }
  await commitInPlace(set);
  const what = set.size ? set.changes.map((c) => `${c.kind === "create" ? "created" : "updated"} ${c.path}`).join(", ") : `${CHAIN_JSON} was already up to date`;
  process.stdout.write(`${what} (${status.names.length} links: ${status.names.join(", ")})\n`);
  if (note) process.stderr.write(note);
  if (status.dangling.length) process.stderr.write(`warning: ${status.dangling.join("\nwarning: ")}\n`);
  return 0;
}

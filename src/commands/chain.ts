// chain: chain.json from the code (static; the user's code never runs). --check is for CI.
import { commitInPlace } from "../fs/journal.js";
import { planChain } from "../edit/chain.js";
import { openProject } from "../edit/project.js";
import { CHAIN_JSON, parseChainJson } from "../generate/chain-json.js";
import { README } from "../generate/readme-chain.js";
import { UserError } from "../errors.js";
import { projectEnv } from "../sim/env.js";

export interface ChainOptions {
  cwd?: string;
  baseUrl?: string;
  check?: boolean;
  print?: boolean;
  withToken?: boolean;
}

/** chain.json with `?token=` on each endpoint: what Agent4 takes, never written to a file. */
function withToken(chainJson: string, token: string): string {
  const entries = (parseChainJson(chainJson)?.entries ?? []).map((e) => {
    if (typeof e.endpoint !== "string") return e;
    const url = new URL(e.endpoint);
    url.searchParams.set("token", token);
    return { ...e, endpoint: url.toString() };
  });
  return `${JSON.stringify(entries, null, 2)}\n`;
}

export async function run(options: ChainOptions): Promise<number> {
  // Finishes a commit a kill interrupted before anything is read.
  const project = await openProject(options.cwd ?? process.cwd());
  if (options.withToken && !options.print) throw new UserError("--with-token goes with --print: the token is never written into chain.json");
  const { set, note, status } = await planChain(project, options.baseUrl);
  if (options.print) {
    let text = status.expected;
    if (options.withToken) {
      const token = projectEnv(project.root).vars.TASKCHAIN_TOKEN;
      if (!token) throw new UserError("--with-token: TASKCHAIN_TOKEN is not set in the environment, .env or .dev.vars");
      text = withToken(text, token);
    }
    process.stdout.write(text);
    return 0;
  }
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
    if (status.readmeStale) problems.push(`${README}'s chain section is stale`);
    problems.push(...unionProblems, ...status.dangling);
    if (problems.length) {
      process.stderr.write(`${problems.join("\n")}\nRun \`create-taskchain chain\` to rewrite ${CHAIN_JSON}, its ${README} section and LinkName from the code.\n`);
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

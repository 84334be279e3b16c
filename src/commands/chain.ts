// chain: chain.json and the README's chain section from the code (static; the user's code never
// runs). --check is for CI; --graph prints the chain as a Mermaid flowchart.
import { commitInPlace } from "../fs/journal.js";
import { planChain } from "../edit/chain.js";
import { readChainGraph } from "../edit/graph.js";
import { openProject, readText } from "../edit/project.js";
import { mermaid } from "../generate/chain-graph.js";
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
  graph?: boolean;
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

/** The difference between two texts as a unified patch without its header line. */
async function difference(file: string, before: string, after: string): Promise<string> {
  const { createTwoFilesPatch } = await import("diff");
  const patch = createTwoFilesPatch(`a/${file}`, `b/${file}`, before, after, "on disk", "from the code", { context: 3 });
  return patch.split("\n").slice(1).join("\n").trimEnd();
}

export async function run(options: ChainOptions): Promise<number> {
  // Finishes a commit a kill interrupted before anything is read.
  const project = await openProject(options.cwd ?? process.cwd());
  if (options.withToken && !options.print) throw new UserError("--with-token goes with --print: the token is never written into chain.json");
  if (options.graph) {
    const other = (["print", "check", "baseUrl"] as const).find((o) => options[o] !== undefined && options[o] !== false);
    if (other) throw new UserError(`--graph prints the graph alone: run it without --${other === "baseUrl" ? "base-url" : other}`);
    process.stdout.write(mermaid(await readChainGraph(project.root)));
    return 0;
  }
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
    if (stale) problems.push(status.current === undefined ? `${CHAIN_JSON} is missing` : `${CHAIN_JSON} is stale:\n${await difference(CHAIN_JSON, status.current, status.expected)}`);
    if (status.readmeStale) problems.push(`${README}'s chain section is stale:\n${await difference(README, readText(project.root, README)!, status.readmeExpected!)}`);
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

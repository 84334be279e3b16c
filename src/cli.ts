// The only file that knows argv. Each command's module and its options schema (options.ts) are
// imported inside its action, so `--help` pays for commander alone and `create` never loads
// ts-morph. Each action's values are parsed with the command's schema, and the schema's type must
// fit the command's own options type: a misspelled or missing option is a type error here.
import { Command, Option } from "commander";
import { commanderLine, settleFirstArgument } from "./args.js";
import { report } from "./report.js";
import { CLI_VERSION as VERSION } from "./version.js";

type Schemas = typeof import("./options.js");

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Runs a command's module with its options, turning user errors into one line and an exit code.
 * `values` (commander's options, with the command's operands) are parsed by the schema `pick` names.
 */
async function execute<O>(load: () => Promise<{ run(options: O): Promise<number | void> }>, pick: (schemas: Schemas) => { parse(value: unknown): NoInfer<O> }, values: object, operands: Record<string, unknown> = {}): Promise<void> {
  const debug = process.argv.includes("--debug");
  // `… | head`: the reader left. The rest of the output goes nowhere, but the command still runs to
  // its real exit code instead of dying on an unhandled EPIPE with a stack trace.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
  try {
    const schema = pick(await import("./options.js"));
    const options = schema.parse({ ...values, ...operands });
    const mod = await load();
    const code = await mod.run(options);
    process.exitCode = typeof code === "number" ? code : 0;
  } catch (error) {
    process.exitCode = report(error, debug);
  }
}

/**
 * `pnpm create taskchain my-chain -- --link a` passes the `--` on, and after it every flag would be
 * taken for an argument. It is dropped when a create option follows it.
 */
function dropStraySeparator(program: Command, argv: string[]): string[] {
  const at = argv.indexOf("--", 2);
  if (at < 0 || program.commands.some((c) => c.name() === argv[2])) return argv;
  const known = new Set(program.options.flatMap((o) => [o.long, o.short]));
  return argv.slice(at + 1).some((arg) => known.has(arg.split("=")[0])) ? [...argv.slice(0, at), ...argv.slice(at + 1)] : argv;
}

export function buildProgram(): Command {
  const program = new Command()
    .name("create-taskchain")
    .description("Scaffold, change, simulate and verify typed webhooks for Agent4 Task Chains")
    .version(VERSION, "-v, --version")
    .option("--debug", "show stack traces for errors")
    // Commander's own errors (unknown option, bad choice, extra argument) as one line, like ours.
    .configureOutput({ outputError: (text, write) => write(`create-taskchain: ${commanderLine(text)} (run with --help for usage)\n`) })
    .enablePositionalOptions();

  program
    .argument("[dir]", "where to create the project (also as: create-taskchain create <dir>)")
    .option("-l, --link <names>", "link names in chain order (repeatable, comma-separated)", collect)
    .addOption(new Option("-r, --runtime <name>", "target runtime").choices(["node", "express", "fastify", "hono", "cloudflare", "lambda"]))
    .option("--sessions <store>", "where sessions live: memory or redis (node runtimes; lambda: redis by default, or memory, dynamodb), kv or durable-object (cloudflare)")
    .addOption(new Option("-e, --example <name>", "add a working example chain").choices(["shipstation", "none"]))
    .option("-s, --spec <file>", "a JSON spec: trigger, baseUrl, runtime, links with prompts and Agent4 parameter blocks")
    .option("--from-chain <file>", "an existing Agent4 chain JSON array: one link per entry")
    .option("--base-url <url>", "where the webhook will be reachable (chain.json endpoints)")
    .option("--trigger <phrase>", "the phrase that starts the task in Agent4")
    .addOption(new Option("--pm <name>", "package manager for install and next steps").choices(["npm", "pnpm", "yarn", "bun"]))
    .option("--install", "install dependencies after writing (default on a TTY: ask)")
    .option("--no-install", "do not install dependencies")
    .option("--git", "initialise a git repository")
    .option("--no-git", "do not initialise a git repository")
    .option("-y, --yes", "take defaults for everything not given; never prompt")
    .option("--dry-run", "print every path that would be created; write nothing")
    .option("-f, --force", "write into a non-empty directory (files the project needs are replaced)")
    .action((dir: unknown, values: object) => execute(() => import("./commands/create.js"), (o) => o.create, values, { dir }));

  program
    .command("add-link <name>")
    .description("add a link to an existing project: handler, test, registry entry, LinkName, chain.json")
    .option("--cwd <dir>", "the project (default: the current directory)")
    .option("--after <link>", "insert after this link")
    .option("--before <link>", "insert before this link")
    .option("--prompt <text>", "the link's initial prompt")
    .option("--qualified <param>", 'a qualified parameter, "name:type:description" (type: string, number, integer, boolean, enum(a|b); "?" after the type = optional)', collect)
    .option("--disqualified <param>", "a disqualified parameter (same form; default: reason)", collect)
    .option("--interrupt <param>", "an interrupt parameter (same form; default: reason)", collect)
    .option("-y, --yes", "take defaults for everything not given; never prompt")
    .option("--dry-run", "print the files it would create and the edits as a diff")
    .action((name: unknown, values: object) => execute(() => import("./commands/add-link.js"), (o) => o.addLink, values, { name }));

  program
    .command("remove-link <name>")
    .description("remove a link: registry, files, tests, chain.json")
    .option("--cwd <dir>", "the project (default: the current directory)")
    .option("-f, --force", "remove even while switchTask() references to it remain")
    .option("--dry-run", "print the changes as a diff; write nothing")
    .action((name: unknown, values: object) => execute(() => import("./commands/remove-link.js"), (o) => o.removeLink, values, { name }));

  program
    .command("sessions <store>")
    .description("move the project's sessions to another store (memory, redis; dynamodb on lambda; kv, durable-object on cloudflare): files, dependency, README")
    .option("--cwd <dir>", "the project (default: the current directory)")
    .option("-f, --force", "replace store files you changed")
    .option("--dry-run", "print the changes as a diff; write nothing")
    .action((store: unknown, values: object) => execute(() => import("./commands/sessions.js"), (o) => o.sessions, values, { store }));

  program
    .command("upgrade")
    .description("bring the files create-taskchain owns (runtime, server, contract tests) to this version; edited ones are left as they are")
    .option("--cwd <dir>", "the project (default: the current directory)")
    .option("--dry-run", "print what would change; write nothing")
    .option("--diff", "print a diff of every file that changes")
    .option("-f, --force <file>", "replace this owned file even though you edited it (repeatable)", collect)
    .action((values: object) => execute(() => import("./commands/upgrade.js"), (o) => o.upgrade, values));

  program
    .command("rename-link <old> <new>")
    .description("rename a link: registry, files, tests, chain.json and every switchTask() reference")
    .option("--cwd <dir>", "the project (default: the current directory)")
    .option("--dry-run", "print the changes as a diff; write nothing")
    .action((from: unknown, to: unknown, values: object) => execute(() => import("./commands/rename-link.js"), (o) => o.renameLink, values, { from, to }));

  program
    .command("chain")
    .description("regenerate chain.json from the code (static: never runs it)")
    .option("--cwd <dir>", "the project (default: the current directory)")
    .option("--base-url <url>", "endpoint base, saved as the project's (default: package.json \"taskchain\".baseUrl)")
    .option("--check", "exit non-zero with the difference when chain.json or the README's chain section is stale")
    .option("--print", "print chain.json as the code gives it; write nothing")
    .option("--with-token", "with --print: append ?token= from TASKCHAIN_TOKEN (environment, .env or .dev.vars) to each endpoint")
    .option("--graph", "print the chain as a Mermaid flowchart, read from the code; write nothing")
    .action((values: object) => execute(() => import("./commands/chain.js"), (o) => o.chain, values));

  program
    .command("simulate")
    .description("play Agent4 against a running webhook: walk the chain and print the transcript")
    .option("--url <base>", "the webhook's base URL (default: $TASKCHAIN_URL, else http://$HOST:$PORT as the dev server listens, .env read too; localhost:3000)")
    .option("--chain <file>", "the chain JSON (default: ./chain.json)")
    .option("--from <number>", "the caller's number (default: the scenario's, else a new fictional +1NXX55501XX each run, so each run is a new call)")
    .option("--forwarded-by <number>", "the number that connected the call (default: the scenario's, else +15125550199)")
    .option("--token <token>", "TASKCHAIN_TOKEN of the webhook (default: $TASKCHAIN_TOKEN, else .env/.dev.vars for a loopback URL)")
    .option("--script <file>", "scenario JSON: outcomes, parameters and expectations per link (no prompts)")
    .option("--json", "print the transcript as JSON")
    .option("--graph", "also print the path the call took over the chain's graph (Mermaid, from the project's code)")
    .option("--record <file>", "append this call to a file, in the format TASKCHAIN_RECORD writes (replay it with --replay)")
    .option("--replay <file>", "play the recorded calls in a file (TASKCHAIN_RECORD's lines) and compare every answer; exit 1 on a difference")
    .option("--update", "with --replay: keep the answers received as the recorded ones")
    .action((values: object) => execute(() => import("./commands/simulate.js"), (o) => o.simulate, values));

  program
    .command("verify")
    .description("run the protocol contract against a live endpoint, whatever it is written in")
    .requiredOption("--url <base>", "the webhook's base URL")
    .option("--chain <file>", "the chain JSON (default: ./chain.json)")
    .option("--token <token>", "TASKCHAIN_TOKEN of the webhook (default: $TASKCHAIN_TOKEN, else .env/.dev.vars for a loopback URL)")
    .option("--json", "print the report as JSON")
    .option("--latency", "also time every link's answers: p50/p95/p99 against the budget; a link whose p99 is over it fails")
    .option("--rounds <n>", "with --latency: how many times each link's initial and outcomes are timed (default 10)")
    .option("--budget <ms>", "with --latency: the time budget per webhook call (default: $WEBHOOK_BUDGET_MS, .env read too; else 4000)")
    .action((values: object) => execute(() => import("./commands/verify.js"), (o) => o.verify, values));

  return program;
}

const program = buildProgram();
let argv: string[] | undefined;
try {
  argv = settleFirstArgument(process.argv, program.commands.map((c) => c.name()));
} catch (error) {
  process.exitCode = report(error, process.argv.includes("--debug"));
}
if (argv) await program.parseAsync(dropStraySeparator(program, argv));

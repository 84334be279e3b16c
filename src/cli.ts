// The only file that knows argv. Each command's module is imported inside its action, so
// `--help` pays for commander alone and `create` never loads ts-morph (the type imports below
// are erased). Each action reads its options with OptionValues into the command's own options
// type, so a misspelled or missing option is a type error here.
import { Command, Option } from "commander";
import { commanderLine, operand, OptionValues, requiredOperand, settleFirstArgument } from "./args.js";
import { report } from "./report.js";
import { CLI_VERSION as VERSION } from "./version.js";
import type { CreateOptions } from "./commands/create.js";
import type { AddLinkOptions } from "./commands/add-link.js";
import type { RemoveLinkOptions } from "./commands/remove-link.js";
import type { RenameLinkOptions } from "./commands/rename-link.js";
import type { ChainOptions } from "./commands/chain.js";
import type { SimulateOptions } from "./commands/simulate.js";
import type { VerifyOptions } from "./commands/verify.js";

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Runs a command's module with its options, turning user errors into one line and an exit code.
 * `options` reads commander's values (OptionValues checks each type), inside the same error handling.
 */
async function execute<O>(load: () => Promise<{ run(options: O): Promise<number | void> }>, options: () => NoInfer<O>): Promise<void> {
  const debug = process.argv.includes("--debug");
  // `… | head`: the reader left. The rest of the output goes nowhere, but the command still runs to
  // its real exit code instead of dying on an unhandled EPIPE with a stack trace.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
  try {
    const values = options();
    const mod = await load();
    const code = await mod.run(values);
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
    .action((dir: unknown, values: unknown) =>
      execute(
        () => import("./commands/create.js"),
        (): CreateOptions => {
          const o = new OptionValues(values);
          return {
            dir: operand(dir, "dir"),
            link: o.strings("link"),
            runtime: o.string("runtime"),
            example: o.string("example"),
            spec: o.string("spec"),
            fromChain: o.string("fromChain"),
            baseUrl: o.string("baseUrl"),
            trigger: o.string("trigger"),
            pm: o.string("pm"),
            install: o.boolean("install"),
            git: o.boolean("git"),
            yes: o.boolean("yes"),
            dryRun: o.boolean("dryRun"),
            force: o.boolean("force"),
          };
        },
      ),
    );

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
    .action((name: unknown, values: unknown) =>
      execute(
        () => import("./commands/add-link.js"),
        (): AddLinkOptions => {
          const o = new OptionValues(values);
          return {
            name: requiredOperand(name, "name"),
            cwd: o.string("cwd"),
            after: o.string("after"),
            before: o.string("before"),
            prompt: o.string("prompt"),
            qualified: o.strings("qualified"),
            disqualified: o.strings("disqualified"),
            interrupt: o.strings("interrupt"),
            yes: o.boolean("yes"),
            dryRun: o.boolean("dryRun"),
          };
        },
      ),
    );

  program
    .command("remove-link <name>")
    .description("remove a link: registry, files, tests, chain.json")
    .option("--cwd <dir>", "the project (default: the current directory)")
    .option("-f, --force", "remove even while switchTask() references to it remain")
    .option("--dry-run", "print the changes as a diff; write nothing")
    .action((name: unknown, values: unknown) =>
      execute(
        () => import("./commands/remove-link.js"),
        (): RemoveLinkOptions => {
          const o = new OptionValues(values);
          return { name: requiredOperand(name, "name"), cwd: o.string("cwd"), force: o.boolean("force"), dryRun: o.boolean("dryRun") };
        },
      ),
    );

  program
    .command("rename-link <old> <new>")
    .description("rename a link: registry, files, tests, chain.json and every switchTask() reference")
    .option("--cwd <dir>", "the project (default: the current directory)")
    .option("--dry-run", "print the changes as a diff; write nothing")
    .action((from: unknown, to: unknown, values: unknown) =>
      execute(
        () => import("./commands/rename-link.js"),
        (): RenameLinkOptions => {
          const o = new OptionValues(values);
          return { from: requiredOperand(from, "old"), to: requiredOperand(to, "new"), cwd: o.string("cwd"), dryRun: o.boolean("dryRun") };
        },
      ),
    );

  program
    .command("chain")
    .description("regenerate chain.json from the code (static: never runs it)")
    .option("--cwd <dir>", "the project (default: the current directory)")
    .option("--base-url <url>", "endpoint base, saved as the project's (default: package.json \"taskchain\".baseUrl)")
    .option("--check", "exit non-zero with the difference when chain.json is stale")
    .option("--print", "print chain.json as the code gives it; write nothing")
    .option("--with-token", "with --print: append ?token= from TASKCHAIN_TOKEN (environment, .env or .dev.vars) to each endpoint")
    .action((values: unknown) =>
      execute(
        () => import("./commands/chain.js"),
        (): ChainOptions => {
          const o = new OptionValues(values);
          return { cwd: o.string("cwd"), baseUrl: o.string("baseUrl"), check: o.boolean("check"), print: o.boolean("print"), withToken: o.boolean("withToken") };
        },
      ),
    );

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
    .option("--record <file>", "append this call to a file, in the format TASKCHAIN_RECORD writes (replay it with --replay)")
    .option("--replay <file>", "play the recorded calls in a file (TASKCHAIN_RECORD's lines) and compare every answer; exit 1 on a difference")
    .option("--update", "with --replay: keep the answers received as the recorded ones")
    .action((values: unknown) =>
      execute(
        () => import("./commands/simulate.js"),
        (): SimulateOptions => {
          const o = new OptionValues(values);
          return {
            url: o.string("url"),
            chain: o.string("chain"),
            from: o.string("from"),
            forwardedBy: o.string("forwardedBy"),
            token: o.string("token"),
            script: o.string("script"),
            json: o.boolean("json"),
            record: o.string("record"),
            replay: o.string("replay"),
            update: o.boolean("update"),
          };
        },
      ),
    );

  program
    .command("verify")
    .description("run the protocol contract against a live endpoint, whatever it is written in")
    .requiredOption("--url <base>", "the webhook's base URL")
    .option("--chain <file>", "the chain JSON (default: ./chain.json)")
    .option("--token <token>", "TASKCHAIN_TOKEN of the webhook (default: $TASKCHAIN_TOKEN, else .env/.dev.vars for a loopback URL)")
    .option("--json", "print the report as JSON")
    .action((values: unknown) =>
      execute(
        () => import("./commands/verify.js"),
        (): VerifyOptions => {
          const o = new OptionValues(values);
          return { url: requiredOperand(o.string("url"), "--url"), chain: o.string("chain"), token: o.string("token"), json: o.boolean("json") };
        },
      ),
    );

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

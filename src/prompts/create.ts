// create's questions, one function per answer; create/steps.ts decides which are asked. They only
// ask and validate: nothing here touches the disk, and non-interactive runs never load this module.
import os from "node:os";
import { CancelledError, UserError } from "../errors.js";
import { OUTCOMES } from "../protocol/outcomes.js";
import { installCommand, type PackageManager } from "../pm.js";
import { baseUrlProblem } from "../spec/base-url.js";
import { assertChainNames, splitLinkFlags } from "../spec/names.js";
import {
  DEFAULT_BASE_URL,
  DEFAULT_TRIGGER,
  RUNTIMES,
  RUNTIME_INFO,
  STORE_HINTS,
  sessionsOf,
  triggerProblem,
  type Example,
  type LinkSpec,
  type Runtime,
  type SessionStoreName,
} from "../spec/spec.js";
import { resolveTarget, type Target } from "../spec/target.js";
import { describeParams } from "./parameters.js";
import { answered, check, p, shorten } from "./ui.js";

export { askLink } from "./parameters.js";
export { info, intro, note, outro, warn, withSpinner } from "./ui.js";

export interface Answers {
  target: Target;
  links: LinkSpec[];
  runtime: Runtime;
  /** Undefined: the runtime's default. */
  sessions: SessionStoreName | undefined;
  example: Example | undefined;
  baseUrl: string;
  trigger: string;
  install: boolean;
  git: boolean;
}

/** An example and the links it brings, so the user's names do not collide with them. */
export type ExampleChain = { name: Example; links: readonly string[] } | undefined;

export async function askTarget(cwd: string, force: boolean): Promise<Target> {
  // No shell expands what is typed at a prompt: `~/chains/x` would be a folder named "~" here.
  const dir = (v: string | undefined) => (v ? v.replace(/^~(?=$|[\\/])/, os.homedir()) : "my-chain");
  const typed = answered(
    await p.text({
      message: "Where should the project go?",
      placeholder: "my-chain",
      defaultValue: "my-chain",
      validate: check((v) => void resolveTarget(dir(v), cwd, force)),
    }),
  );
  return resolveTarget(dir(typed), cwd, force);
}

export async function askLinkNames(example: ExampleChain): Promise<string[]> {
  const raw = answered(
    await p.text({
      message: "Links, in chain order (comma-separated)",
      placeholder: "pin_vetting, sms_vetting",
      validate: check((v) => assertChainNames(splitLinkFlags(v), example)),
    }),
  );
  return splitLinkFlags(raw);
}

export async function askRuntime(): Promise<Runtime> {
  return answered(
    await p.select<Runtime>({
      message: "Runtime",
      options: RUNTIMES.map((r) => ({ value: r, label: r, hint: RUNTIME_INFO[r].hint })),
      initialValue: "node",
    }),
  );
}

/** Where sessions live: the runtime's stores, its default first. */
export async function askSessions(runtime: Runtime): Promise<SessionStoreName> {
  const stores = RUNTIME_INFO[runtime].stores;
  return answered(
    await p.select<SessionStoreName>({
      message: "Sessions: where a call's state lives between its webhook calls",
      options: stores.map((s) => ({ value: s, label: s, hint: STORE_HINTS[s] })),
      initialValue: stores[0],
    }),
  );
}

/** The example, asked again while its links clash with the user's (refused here, not after the summary). */
export async function askExample(links: readonly LinkSpec[], exampleLinks: (example: Example) => readonly string[]): Promise<Example | undefined> {
  for (;;) {
    const choice = answered(
      await p.select<Example | "none">({
        message: "Add an example?",
        options: [
          { value: "none", label: "No example", hint: "just your links" },
          { value: "shipstation", label: "ShipStation", hint: "a worked example against the ShipStation API" },
        ],
        initialValue: "none",
      }),
    );
    const example = choice === "none" ? undefined : choice;
    try {
      assertChainNames(links.map((l) => l.name), example && { name: example, links: exampleLinks(example) });
      return example;
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      p.log.warn(error.message);
    }
  }
}

/** A text Enter answers with `fallback`; refused while `problem` finds one (`the base URL must …`). */
async function askWithDefault(message: string, fallback: string, what: string, problem: (value: string) => string | undefined): Promise<string> {
  return answered(
    await p.text({
      message,
      placeholder: fallback,
      defaultValue: fallback,
      validate: (v) => {
        const why = v ? problem(v) : undefined;
        return why && `${what} ${why}`;
      },
    }),
  );
}

export async function askBaseUrl(note: string | undefined): Promise<string> {
  if (note) p.log.warn(note);
  return askWithDefault("Base URL where the webhook will be reachable (chain.json endpoints are <base>/<link>)", DEFAULT_BASE_URL, "the base URL", baseUrlProblem);
}

export async function askTrigger(): Promise<string> {
  return askWithDefault("Trigger: the phrase that starts this task in Agent4", DEFAULT_TRIGGER, "the trigger", triggerProblem);
}

export async function askInstall(pm: PackageManager): Promise<boolean> {
  return answered(await p.confirm({ message: `Install dependencies (${installCommand(pm)})?`, initialValue: true }));
}

export async function askGit(): Promise<boolean> {
  return answered(await p.confirm({ message: "Initialise a git repository?", initialValue: true }));
}

export function summary(a: Answers, pm: PackageManager, exampleLinks: readonly string[], pmMissing = false): string {
  const rows: Array<[string, string]> = [
    ["Directory", a.target.display],
    ["Links", [...a.links.map((l) => l.name), ...exampleLinks].join(" → ")],
  ];
  for (const link of a.links) {
    rows.push([`  ${link.name}`, OUTCOMES.map((o) => `${o}: ${describeParams(link.parameters[o])}`).join(" · ")]);
  }
  rows.push(
    ["Runtime", `${a.runtime} (${RUNTIME_INFO[a.runtime].hint})`],
    ["Sessions", `${sessionsOf(a)} (${STORE_HINTS[sessionsOf(a)]})`],
    ["Example", a.example ?? "none"],
    ["Base URL", a.baseUrl],
    ["Trigger", shorten(a.trigger, 70)],
    ["Install", a.install ? installCommand(pm) : pmMissing ? `no (${pm} is not installed)` : "no"],
    ["Git", a.git ? "git init + first commit" : "no"],
  );
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

/** Shows the summary and asks to go ahead; No cancels. */
export async function confirmCreate(answers: Answers, summaryText: string, dryRun: boolean): Promise<void> {
  p.note(summaryText, "Summary");
  const question = dryRun
    ? "List the files it would write (dry run: nothing is written)?"
    : answers.target.nonEmpty
      ? `Write into ${answers.target.display} (not empty: --force)?`
      : "Create the project?";
  if (!answered(await p.confirm({ message: question, initialValue: true }))) throw new CancelledError();
}

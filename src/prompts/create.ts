// The interactive `create` flow (clack). It only asks and validates: it never touches the disk, and
// it is imported only on a TTY, so non-interactive runs never load @clack/prompts.
import os from "node:os";
import { styleText } from "node:util";
import * as p from "@clack/prompts";
import { CancelledError, UserError } from "../errors.js";
import { OUTCOMES, type Outcome } from "../protocol/outcomes.js";
import { baseUrlProblem } from "../spec/base-url.js";
import { assertChainNames, splitLinkFlags } from "../spec/names.js";
import { resolveTarget, type Target } from "../spec/target.js";
import {
  DEFAULT_BASE_URL,
  DEFAULT_TRIGGER,
  MAX_TEXT,
  PARAM_TYPES,
  RUNTIMES,
  RUNTIME_HINTS,
  triggerProblem,
  defaultParameters,
  defaultPrompt,
  type Example,
  type LinkSpec,
  type ParamSpec,
  type ParamType,
  type Runtime,
} from "../spec/spec.js";
import { installCommand, type PackageManager } from "../pm.js";

/** What flags and files already settled; `undefined` means "ask". */
export interface KnownAnswers {
  target?: Target;
  /** Complete links (from --spec): not asked again. */
  links?: LinkSpec[];
  /** Names only (from --link / --from-chain): each link's prompt and parameters are asked. */
  linkNames?: string[];
  runtime?: Runtime;
  /** null: the user said none. */
  example?: Example | null;
  /** Links an example brings, so names do not collide and an empty --link list is fine. */
  exampleLinks: (example: Example | undefined) => string[];
  baseUrl?: string;
  /** Why the base URL could not be taken from the chain file. */
  baseUrlNote?: string;
  trigger?: string;
  install?: boolean;
  git?: boolean;
  /** --dry-run: the last question asks to list the files, not to create them. */
  dryRun?: boolean;
  pm: PackageManager;
  /** The package manager is not on PATH: the install is not offered. */
  pmMissing?: boolean;
  cwd: string;
  force: boolean;
}

export interface Answers {
  target: Target;
  links: LinkSpec[];
  runtime: Runtime;
  example: Example | undefined;
  baseUrl: string;
  trigger: string;
  install: boolean;
  git: boolean;
}

function answered<T>(value: T): Exclude<T, symbol> {
  if (p.isCancel(value)) throw new CancelledError();
  return value as Exclude<T, symbol>;
}

/** A prompt's validate callback from a function that throws UserError. */
function check(fn: (value: string) => void): (value: string | undefined) => string | undefined {
  return (value) => {
    try {
      fn(value ?? "");
      return undefined;
    } catch (error) {
      if (error instanceof UserError) return error.message;
      throw error;
    }
  };
}

function shorten(text: string, max = 60): string {
  const line = text.replace(/\s+/g, " ");
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function describeParam(param: ParamSpec): string {
  const type = param.type === "enum" ? `enum: ${(param.values ?? []).join(" | ")}` : param.type;
  return `${param.name} (${type}${param.required ? "" : ", optional"})`;
}

function describeParams(params: readonly ParamSpec[]): string {
  return params.length ? params.map((q) => q.name).join(", ") : "none";
}

async function askParam(linkName: string, outcome: Outcome, existing: readonly ParamSpec[]): Promise<ParamSpec> {
  const name = answered(
    await p.text({
      message: `${linkName} · ${outcome}: field name`,
      placeholder: outcome === "qualified" ? "e.g. pin" : "e.g. reason",
      validate: check((v) => {
        if (v.length === 0) throw new UserError("a parameter needs a name");
        if (v.length > 128) throw new UserError("at most 128 characters");
        if (v === "__proto__") throw new UserError("__proto__ cannot be a parameter name");
        if (existing.some((q) => q.name === v)) throw new UserError(`${outcome} already has "${v}"`);
      }),
    }),
  );
  const type = answered(
    await p.select<ParamType>({
      message: `${linkName} · ${outcome} · ${name}: type`,
      options: PARAM_TYPES.map((t) => ({ value: t, label: t, ...(t === "enum" ? { hint: "one of a fixed list of strings" } : {}) })),
      initialValue: "string",
    }),
  );
  let values: string[] | undefined;
  if (type === "enum") {
    const raw = answered(
      await p.text({
        message: `${linkName} · ${outcome} · ${name}: allowed values (comma-separated)`,
        placeholder: "e.g. sms, call, email",
        validate: check((v) => {
          const list = v.split(",").map((s) => s.trim()).filter(Boolean);
          if (list.length === 0) throw new UserError("give at least one value");
          if (new Set(list).size !== list.length) throw new UserError("a value is listed twice");
        }),
      }),
    );
    values = raw.split(",").map((s) => s.trim()).filter(Boolean);
  }
  const description = answered(
    await p.text({
      message: `${linkName} · ${outcome} · ${name}: description (Agent4 reads it to fill the field)`,
      placeholder: "optional",
      defaultValue: "",
      validate: check((v) => {
        if (v.length > 2000) throw new UserError("at most 2000 characters");
      }),
    }),
  );
  const required = answered(await p.confirm({ message: `${linkName} · ${outcome} · ${name}: required?`, initialValue: true }));
  return values ? { name, type, values, description, required } : { name, type, description, required };
}

async function editParams(linkName: string, outcome: Outcome, initial: ParamSpec[]): Promise<ParamSpec[]> {
  let params = [...initial];
  for (;;) {
    const action = answered(
      await p.select<"add" | "done" | "remove">({
        message: `${linkName} · ${outcome} parameters: ${params.length ? params.map(describeParam).join(", ") : "none"}`,
        options: [
          { value: "add", label: "Add a parameter" },
          { value: "done", label: params.length ? "Done" : "Done (none)" },
          ...(params.length ? [{ value: "remove" as const, label: "Remove one" }] : []),
        ],
        initialValue: outcome === "qualified" && params.length === 0 ? "add" : "done",
      }),
    );
    if (action === "done") return params;
    if (action === "add") params.push(await askParam(linkName, outcome, params));
    else {
      const gone = answered(
        await p.select<string>({ message: `${linkName} · remove which ${outcome} parameter?`, options: params.map((q) => ({ value: q.name, label: describeParam(q) })) }),
      );
      params = params.filter((q) => q.name !== gone);
    }
  }
}

async function askLink(name: string): Promise<LinkSpec> {
  const fallback = defaultPrompt(name);
  const prompt = answered(
    await p.text({
      message: `${name}: the prompt that drives this step of the call`,
      placeholder: `Enter for the default: ${shorten(fallback, 50)}`,
      defaultValue: fallback,
      validate: check((v) => {
        if (v.length > MAX_TEXT) throw new UserError(`at most ${MAX_TEXT} characters`);
      }),
    }),
  );
  const defaults = defaultParameters();
  const mode = answered(
    await p.select<"defaults" | "custom">({
      message: `${name}: parameters Agent4 collects`,
      options: [
        {
          value: "defaults",
          label: "Defaults",
          hint: OUTCOMES.map((o) => `${o}: ${describeParams(defaults[o])}`).join(" · "),
        },
        { value: "custom", label: "Choose them (field name, type, description, required)" },
      ],
      initialValue: "defaults",
    }),
  );
  if (mode === "defaults") return { name, prompt, parameters: defaults };
  const parameters = {} as LinkSpec["parameters"];
  for (const outcome of OUTCOMES) parameters[outcome] = await editParams(name, outcome, defaults[outcome]);
  return { name, prompt, parameters };
}

export function summary(a: Answers, pm: PackageManager, exampleLinks: string[], pmMissing = false): string {
  const rows: Array<[string, string]> = [
    ["Directory", a.target.display],
    ["Links", [...a.links.map((l) => l.name), ...exampleLinks].join(" → ")],
  ];
  for (const link of a.links) {
    rows.push([`  ${link.name}`, OUTCOMES.map((o) => `${o}: ${describeParams(link.parameters[o])}`).join(" · ")]);
  }
  rows.push(
    ["Runtime", `${a.runtime} (${RUNTIME_HINTS[a.runtime]})`],
    ["Example", a.example ?? "none"],
    ["Base URL", a.baseUrl],
    ["Trigger", shorten(a.trigger, 70)],
    ["Install", a.install ? installCommand(pm) : pmMissing ? `no (${pm} is not installed)` : "no"],
    ["Git", a.git ? "git init + first commit" : "no"],
  );
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

/** Asks for everything flags and files left open, then shows a summary and asks to go ahead. */
export async function askCreate(known: KnownAnswers): Promise<Answers> {
  p.intro("create-taskchain");

  // No shell expands what is typed at a prompt: `~/chains/x` would be a folder named "~" here.
  const dir = (v: string | undefined) => (v ? v.replace(/^~(?=$|[\\/])/, os.homedir()) : "my-chain");
  const target =
    known.target ??
    resolveTarget(
      dir(
        answered(
          await p.text({
            message: "Where should the project go?",
            placeholder: "my-chain",
            defaultValue: "my-chain",
            validate: check((v) => void resolveTarget(dir(v), known.cwd, known.force)),
          }),
        ),
      ),
      known.cwd,
      known.force,
    );

  // The example is asked before the links when it is still open, so an example's own links count.
  let example: Example | undefined = known.example ?? undefined;
  const askExample = async () =>
    answered(
      await p.select<Example | "none">({
        message: "Add an example?",
        options: [
          { value: "none", label: "No example", hint: "just your links" },
          { value: "shipstation", label: "ShipStation", hint: "a worked example against the ShipStation API" },
        ],
        initialValue: "none",
      }),
    );

  let links = known.links;
  if (!links) {
    let names = known.linkNames;
    if (!names) {
      const raw = answered(
        await p.text({
          message: "Links, in chain order (comma-separated)",
          placeholder: "pin_vetting, sms_vetting",
          validate: check((v) => assertChainNames(splitLinkFlags(v), example && { name: example, links: known.exampleLinks(example) })),
        }),
      );
      names = splitLinkFlags(raw);
    }
    links = [];
    for (const name of names) links.push(await askLink(name));
  }

  const runtime =
    known.runtime ??
    answered(
      await p.select<Runtime>({
        message: "Runtime",
        options: RUNTIMES.map((r) => ({ value: r, label: r, hint: RUNTIME_HINTS[r] })),
        initialValue: "node",
      }),
    );

  // An example whose links clash with the user's is refused here and asked again, not after the summary.
  while (known.example === undefined) {
    const choice = await askExample();
    example = choice === "none" ? undefined : choice;
    try {
      assertChainNames(links.map((l) => l.name), example && { name: example, links: known.exampleLinks(example) });
      break;
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      p.log.warn(error.message);
    }
  }

  if (known.baseUrl === undefined && known.baseUrlNote) p.log.warn(known.baseUrlNote);
  const baseUrl =
    known.baseUrl ??
    answered(
      await p.text({
        message: "Base URL where the webhook will be reachable (chain.json endpoints are <base>/<link>)",
        placeholder: DEFAULT_BASE_URL,
        defaultValue: DEFAULT_BASE_URL,
        validate: check((v) => {
          const problem = v ? baseUrlProblem(v) : undefined;
          if (problem) throw new UserError(`the base URL ${problem}`);
        }),
      }),
    );

  const trigger =
    known.trigger ??
    answered(
      await p.text({
        message: "Trigger: the phrase that starts this task in Agent4",
        placeholder: DEFAULT_TRIGGER,
        defaultValue: DEFAULT_TRIGGER,
        validate: check((v) => {
          const problem = v ? triggerProblem(v) : undefined;
          if (problem) throw new UserError(`the trigger ${problem}`);
        }),
      }),
    );

  const install =
    known.install ?? (known.pmMissing ? false : answered(await p.confirm({ message: `Install dependencies (${installCommand(known.pm)})?`, initialValue: true })));
  const git = known.git ?? answered(await p.confirm({ message: "Initialise a git repository?", initialValue: true }));

  const answers: Answers = { target, links, runtime, example, baseUrl, trigger, install, git };
  p.note(summary(answers, known.pm, known.exampleLinks(example), known.pmMissing), "Summary");
  const question = known.dryRun
    ? "List the files it would write (dry run: nothing is written)?"
    : target.nonEmpty
      ? `Write into ${target.display} (not empty: --force)?`
      : "Create the project?";
  const go = answered(await p.confirm({ message: question, initialValue: true }));
  if (!go) throw new CancelledError();
  return answers;
}

/**
 * Runs the install under a spinner drawn in clack's style. Not clack's own spinner: it puts the
 * terminal in raw mode, so Ctrl-C reached neither the package manager nor a signal handler, and
 * clack answered it with process.exit(0), leaving the install running in the background.
 */
export async function withSpinner<T extends { ok: boolean; interrupted?: boolean }>(start: string, done: string, failed: string, work: () => Promise<T>): Promise<T> {
  const out = process.stdout;
  const frames = [p.unicodeOr("◒", "•"), p.unicodeOr("◐", "o"), p.unicodeOr("◓", "O"), p.unicodeOr("◑", "0")];
  let frame = 0;
  const draw = () => out.write(`\r\x1b[2K${styleText("magenta", frames[frame++ % frames.length]!)}  ${start}`);
  out.write(`${styleText("gray", p.S_BAR)}\n\x1b[?25l`);
  draw();
  const timer = setInterval(draw, 80);
  let result: T | undefined;
  try {
    result = await work();
  } finally {
    clearInterval(timer);
    const ok = result?.ok === true;
    const end = ok ? styleText("green", p.S_STEP_SUBMIT) : styleText("red", result?.interrupted ? p.S_STEP_CANCEL : p.S_STEP_ERROR);
    out.write(`\r\x1b[2K\x1b[?25h${end}  ${ok ? done : result?.interrupted ? "Cancelled" : failed}\n`);
  }
  return result;
}

export function note(message: string, title: string): void {
  p.note(message, title);
}

export function outro(message: string): void {
  p.outro(message);
}

export function info(message: string): void {
  p.log.info(message);
}

export function warn(message: string): void {
  p.log.warn(message);
}

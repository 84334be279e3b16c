// What create knows before it asks anything: its options (typed by cli.ts), the spec or chain file
// they name, and the checks that make a typo fail before the first question.
import { UserError } from "../errors.js";
import { EXAMPLE_FEATURES } from "../generate/features.js";
import { PACKAGE_MANAGERS, detectPackageManager, onPath, type PackageManager } from "../pm.js";
import type * as Prompts from "../prompts/create.js";
import { baseUrlProblem } from "../spec/base-url.js";
import { parseChain, type ChainFile } from "../spec/chain-file.js";
import { readJsonFile } from "../spec/json-text.js";
import { assertChainNames, splitLinkFlags } from "../spec/names.js";
import { parseSpec, type SpecFile } from "../spec/spec-file.js";
import { EXAMPLES, RUNTIMES, SESSION_STORES, storeProblem, triggerProblem, type Example, type Runtime, type SessionStoreName } from "../spec/spec.js";
import { resolveTarget, type Target } from "../spec/target.js";
import { isOneOf } from "../one-of.js";

export interface CreateOptions {
  dir?: string | undefined;
  link?: string[] | string | undefined;
  runtime?: string | undefined;
  sessions?: string | undefined;
  example?: string | undefined;
  spec?: string | undefined;
  fromChain?: string | undefined;
  baseUrl?: string | undefined;
  trigger?: string | undefined;
  pm?: string | undefined;
  install?: boolean | undefined;
  git?: boolean | undefined;
  yes?: boolean | undefined;
  dryRun?: boolean | undefined;
  force?: boolean | undefined;
}

export interface Context {
  options: CreateOptions;
  cwd: string;
  force: boolean;
  /** The questions, on a terminal; undefined: nothing is asked. */
  ui: typeof Prompts | undefined;
  pm: PackageManager;
  /** The package manager is not on PATH: the install is not offered. */
  pmMissing: boolean;
  /** <dir>, checked. */
  target: Target | undefined;
  runtime: Runtime | undefined;
  sessions: SessionStoreName | undefined;
  /** null: --example none. */
  example: Example | null | undefined;
  specFile: SpecFile | undefined;
  chainFile: ChainFile | undefined;
  /** Link names without prompts or parameters: --link, or the chain file's. */
  names: string[] | undefined;
  /** Why the base URL could not be taken from the chain file. */
  baseUrlNote: string | undefined;
}

export function exampleLinks(example: Example | undefined): string[] {
  return example ? [...(EXAMPLE_FEATURES[example].links ?? [])] : [];
}

export function assertNames(names: readonly string[], example: Example | undefined): void {
  assertChainNames(names, example ? { name: example, links: exampleLinks(example) } : undefined);
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!isOneOf(allowed, value)) throw new UserError(`${flag} "${value}" is not one of ${allowed.join(", ")}`);
  return value;
}

/** Flags and files, checked; `interactive` says whether the questions will be asked. */
export async function createContext(options: CreateOptions, cwd: string, interactive: boolean): Promise<Context> {
  if (options.spec !== undefined && options.fromChain !== undefined) throw new UserError("pass --spec or --from-chain, not both");
  const flagLinks = splitLinkFlags(options.link);
  if (options.link !== undefined && flagLinks.length === 0) throw new UserError("--link needs at least one name, like --link pin_vetting,sms_vetting");
  if (flagLinks.length && (options.spec !== undefined || options.fromChain !== undefined)) {
    throw new UserError(`--link cannot be combined with ${options.spec !== undefined ? "--spec" : "--from-chain"}: the file already names the links`);
  }
  const runtimeFlag = oneOf("--runtime", options.runtime, RUNTIMES);
  const sessionsFlag = oneOf("--sessions", options.sessions, SESSION_STORES);
  const exampleFlag = oneOf("--example", options.example, [...EXAMPLES, "none"] as const);
  const pm = oneOf("--pm", options.pm, PACKAGE_MANAGERS) ?? detectPackageManager();
  // An install that could not even start is refused now, before anything is written.
  const pmMissing = !options.dryRun && options.install !== false && !onPath(pm);
  if (pmMissing && (options.install === true || !interactive)) {
    throw new UserError(`${pm} is not installed, so it cannot install the dependencies: install it, pick another with --pm, or pass --no-install`);
  }
  const baseUrlFlag = options.baseUrl === undefined ? undefined : baseUrlProblem(options.baseUrl);
  if (baseUrlFlag) throw new UserError(`--base-url ${baseUrlFlag}`);
  const triggerFlag = options.trigger === undefined ? undefined : triggerProblem(options.trigger);
  if (triggerFlag) throw new UserError(`--trigger ${triggerFlag}`);
  const specFile = options.spec !== undefined ? parseSpec(readJsonFile(options.spec, cwd, "spec file"), options.spec) : undefined;
  const chainFile = options.fromChain !== undefined ? parseChain(readJsonFile(options.fromChain, cwd, "chain file"), options.fromChain) : undefined;
  const target = options.dir !== undefined ? resolveTarget(options.dir, cwd, Boolean(options.force)) : undefined;

  const example = exampleFlag === "none" ? null : (exampleFlag ?? specFile?.example);
  const names = flagLinks.length ? flagLinks : chainFile?.names;
  if (names) assertNames(names, example ?? undefined);
  if (specFile) {
    if (specFile.links.length === 0 && !example) throw new UserError(`${options.spec}: links is empty: list the chain's links in order (or pass --example)`);
    assertNames(specFile.links.map((l) => l.name), example ?? undefined);
  }
  // Endpoints on different hosts or paths cannot all be <base>/<link>: say so rather than quietly
  // pointing chain.json at the placeholder.
  const unshared = options.baseUrl === undefined && specFile?.baseUrl === undefined ? chainFile?.unsharedEndpoints : undefined;
  const baseUrlNote = unshared
    ? `${options.fromChain}: its endpoints (${unshared.slice(0, 3).join(", ")}${unshared.length > 3 ? ", …" : ""}) share no base URL, and one server serves every link at <base>/<link>`
    : undefined;
  const runtime = runtimeFlag ?? specFile?.runtime;
  const sessions = sessionsFlag ?? specFile?.sessions;
  // With the runtime known, a store it cannot use fails before any question (else once it is answered).
  const sessionsProblem = runtime && sessions && storeProblem(runtime, sessions);
  if (sessionsProblem) throw new UserError(`${sessionsFlag ? "--sessions" : `${options.spec}: sessions`} ${sessionsProblem}`);
  const ui = interactive ? await import("../prompts/create.js") : undefined;
  return {
    options,
    cwd,
    force: Boolean(options.force),
    ui,
    pm,
    pmMissing,
    target,
    runtime,
    sessions,
    example,
    specFile,
    chainFile,
    names,
    baseUrlNote,
  };
}

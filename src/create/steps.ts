// create's answers, one step each, in the order they are asked. A step owns its answer end to end:
// the flag or the spec / chain file (`given`), else the question on a terminal (`ask`), else the
// default or what is missing (`otherwise`).
import type { Answers } from "../prompts/create.js";
import { DEFAULT_BASE_URL, DEFAULT_TRIGGER, defaultLink, RUNTIME_INFO, type LinkSpec } from "../spec/spec.js";
import { exampleLinks, type Context } from "./context.js";

/** Not settled by flags or files. */
const OPEN = Symbol("open");

/** An answer a run without a terminal needs and was not given: said together in one line. */
export class Missing {
  constructor(
    readonly what: string,
    readonly pass: string,
  ) {}
}

interface Step<T> {
  given(ctx: Context): T | typeof OPEN;
  ask(ui: NonNullable<Context["ui"]>, ctx: Context, so: Partial<Answers>): Promise<T>;
  otherwise(ctx: Context): T | Missing;
}

const STEPS: { [K in keyof Answers]: Step<Answers[K]> } = {
  target: {
    given: (ctx) => ctx.target ?? OPEN,
    ask: (ui, ctx) => ui.askTarget(ctx.cwd, ctx.force),
    otherwise: () => new Missing("the project directory", "<dir>"),
  },
  links: {
    // Names alone (--link, --from-chain) still get each link's prompt and parameters asked.
    given: (ctx) => ctx.specFile?.links ?? OPEN,
    async ask(ui, ctx) {
      const example = ctx.example ?? undefined;
      const names = ctx.names ?? (await ui.askLinkNames(example && { name: example, links: exampleLinks(example) }));
      const links: LinkSpec[] = [];
      for (const name of names) links.push(await ui.askLink(name));
      return links;
    },
    otherwise: (ctx) =>
      ctx.names?.map(defaultLink) ?? (exampleLinks(ctx.example ?? undefined).length ? [] : new Missing("the links", "--link <names> (or --spec <file>, --from-chain <file>)")),
  },
  runtime: {
    given: (ctx) => ctx.runtime ?? OPEN,
    ask: (ui) => ui.askRuntime(),
    otherwise: () => "node",
  },
  sessions: {
    given: (ctx) => ctx.sessions ?? OPEN,
    // A runtime with one store is not asked.
    ask: async (ui, _ctx, so) => (RUNTIME_INFO[so.runtime!].stores.length > 1 ? ui.askSessions(so.runtime!) : undefined),
    // The runtime's default (sessionsOf).
    otherwise: () => undefined,
  },
  example: {
    given: (ctx) => (ctx.example === undefined ? OPEN : (ctx.example ?? undefined)),
    ask: (ui, _ctx, so) => ui.askExample(so.links ?? [], exampleLinks),
    otherwise: () => undefined,
  },
  baseUrl: {
    given: (ctx) => ctx.options.baseUrl ?? ctx.specFile?.baseUrl ?? ctx.chainFile?.baseUrl ?? OPEN,
    ask: (ui, ctx) => ui.askBaseUrl(ctx.baseUrlNote),
    otherwise: () => DEFAULT_BASE_URL,
  },
  trigger: {
    given: (ctx) => ctx.options.trigger ?? ctx.specFile?.trigger ?? OPEN,
    ask: (ui) => ui.askTrigger(),
    otherwise: () => DEFAULT_TRIGGER,
  },
  install: {
    // A dry run installs nothing and makes no repository: not worth a question.
    given: (ctx) => (ctx.ui && ctx.options.dryRun ? false : (ctx.options.install ?? OPEN)),
    ask: async (ui, ctx) => !ctx.pmMissing && (await ui.askInstall(ctx.pm)),
    otherwise: () => true,
  },
  git: {
    given: (ctx) => (ctx.ui && ctx.options.dryRun ? false : (ctx.options.git ?? OPEN)),
    ask: (ui) => ui.askGit(),
    otherwise: () => true,
  },
};

async function settle<K extends keyof Answers>(key: K, ctx: Context, so: Partial<Answers>, missing: Missing[]): Promise<void> {
  const step: Step<Answers[K]> = STEPS[key];
  const given = step.given(ctx);
  const value = given !== OPEN ? given : ctx.ui ? await step.ask(ctx.ui, ctx, so) : step.otherwise(ctx);
  if (value instanceof Missing) missing.push(value);
  else so[key] = value;
}

/** Every answer, step by step; without a terminal, what is missing is named in one line. */
export async function answerAll(ctx: Context): Promise<Answers | Missing[]> {
  const so: Partial<Answers> = {};
  const missing: Missing[] = [];
  for (const key of Object.keys(STEPS) as Array<keyof Answers>) await settle(key, ctx, so, missing);
  if (missing.length) return missing;
  const { target, links, runtime, sessions, example, baseUrl, trigger, install, git } = so as Required<Answers>;
  return { target, links, runtime, sessions, example, baseUrl, trigger, install, git };
}

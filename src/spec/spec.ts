// The validated description of a project: everything create/add-link need, and nothing about argv.
// zod/mini: the same validation as the classic API at a seventh of the code V8 compiles on every
// start (create loads nothing else of zod). Mini sets no locale, so English messages are set here.
import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";
z.config(en());
import { LINK_NAME_RE, linkNameProblem } from "./names.js";
import { isOneOf } from "../one-of.js";

export const RUNTIMES = ["node", "express", "fastify", "hono", "cloudflare", "lambda"] as const;
export type Runtime = (typeof RUNTIMES)[number];

export const SESSION_STORES = ["memory", "redis", "kv", "dynamodb", "durable-object"] as const;
export type SessionStoreName = (typeof SESSION_STORES)[number];
export const STORE_HINTS: Record<SessionStoreName, string> = {
  memory: "this process's memory: one instance",
  redis: "Redis at REDIS_URL, shared by every instance",
  kv: "Workers KV, shared by every isolate; eventually consistent between locations",
  dynamodb: "a DynamoDB table, shared by every Lambda instance",
  "durable-object": "a Durable Object per caller line: one strongly consistent place per call",
};

/**
 * What each runtime is (the hint the prompt and the README give) and the stores it can keep
 * sessions in, its default first. A call's webhooks may each reach another instance, so where a
 * platform runs many, the default is its own strongly consistent store: a DynamoDB table on Lambda,
 * a Durable Object per caller line on Workers. KV stays an option there (only a namespace to create)
 * for chains that can live with a stale read between locations; an unbound store falls back to the
 * instance's memory.
 */
export const RUNTIME_INFO: Record<Runtime, { hint: string; stores: readonly SessionStoreName[] }> = {
  node: { hint: "node:http, no framework", stores: ["memory", "redis"] },
  express: { hint: "Express 5", stores: ["memory", "redis"] },
  fastify: { hint: "Fastify 5", stores: ["memory", "redis"] },
  hono: { hint: "Hono on @hono/node-server", stores: ["memory", "redis"] },
  cloudflare: { hint: "Cloudflare Workers (wrangler)", stores: ["durable-object", "kv"] },
  lambda: { hint: "AWS Lambda (API Gateway HTTP API / function URL)", stores: ["dynamodb", "redis", "memory"] },
};

/** Whether `value` names a runtime (from a file a person may have edited). */
export const isRuntime = (value: unknown): value is Runtime => isOneOf(RUNTIMES, value);

/** Whether `value` names a session store, any runtime's; `of` a runtime: one that runtime takes. */
export const isStore = (value: unknown, of?: Runtime): value is SessionStoreName => isOneOf(of ? RUNTIME_INFO[of].stores : SESSION_STORES, value);

/** Why `store` cannot keep a `runtime` project's sessions, or undefined when it can. */
export function storeProblem(runtime: Runtime, store: string): string | undefined {
  const valid = RUNTIME_INFO[runtime].stores;
  if (isStore(store, runtime)) return undefined;
  const known = isStore(store);
  const list = valid.length > 1 ? `${valid.slice(0, -1).join(", ")} or ${valid.at(-1)}` : valid[0];
  return `${known ? `"${store}" is not a session store for ${runtime}` : `"${store}" is not a session store`}: ${runtime} takes ${list}`;
}

export const EXAMPLES = ["shipstation"] as const;
export type Example = (typeof EXAMPLES)[number];

/**
 * The most characters the CLI takes for a text: a link's prompt, and a string parameter's minLength
 * (whose sample, that long, is written into the link's test).
 */
export const MAX_TEXT = 20_000;

export const PARAM_TYPES = ["string", "number", "integer", "boolean", "enum"] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

/** A JS identifier-safe parameter name is not required: parameters are object keys, quoted when needed. */
export const ParamSpecSchema = z
  .object({
    name: z.string().check(
      z.minLength(1, "a parameter needs a name"),
      z.maxLength(128),
      z.refine((n) => n !== "__proto__", "__proto__ cannot be a parameter name"),
    ),
    type: z.enum(PARAM_TYPES),
    description: z._default(z.string().check(z.maxLength(2000)), ""),
    required: z._default(z.boolean(), true),
    /** Only for `enum`: the allowed values, in order. */
    values: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
    /**
     * The other JSON-schema keywords a pasted Agent4 block gave the property (`minimum`, `format`,
     * `default`, …), in its order; checked by parameterBlock (src/spec/spec-file.ts).
     */
    keywords: z.optional(z.record(z.string(), z.unknown())),
  })
  .check(
    z.superRefine((p, ctx) => {
      if (p.type === "enum" && !p.values?.length) ctx.addIssue({ code: "custom", path: ["values"], message: "an enum parameter needs at least one value" });
      if (p.type !== "enum" && p.values) ctx.addIssue({ code: "custom", path: ["values"], message: `values only apply to enum parameters, not ${p.type}` });
      if (p.values && new Set(p.values).size !== p.values.length) ctx.addIssue({ code: "custom", path: ["values"], message: "enum values must be unique" });
    }),
  );
export type ParamSpec = z.infer<typeof ParamSpecSchema>;

const paramList = z.array(ParamSpecSchema).check(
  z.superRefine((params, ctx) => {
    const seen = new Set<string>();
    params.forEach((p, i) => {
      if (seen.has(p.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `parameter "${p.name}" is listed twice` });
      seen.add(p.name);
    });
  }),
);

export const LinkSpecSchema = z.object({
  name: z.string().check(
    z.superRefine((name, ctx) => {
      const problem = linkNameProblem(name);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  ),
  /** The initial prompt that drives the conversation for this link. */
  prompt: z.string().check(z.maxLength(MAX_TEXT)),
  parameters: z.object({
    qualified: paramList,
    disqualified: paramList,
    interrupt: paramList,
  }),
});
export type LinkSpec = z.infer<typeof LinkSpecSchema>;

export const ProjectSpecSchema = z
  .object({
    /** npm package name of the generated project. */
    packageName: z.string().check(z.minLength(1)),
    runtime: z.enum(RUNTIMES),
    /** Where sessions live; the runtime's default (RUNTIME_INFO) when not given. */
    sessions: z.optional(z.enum(SESSION_STORES)),
    /** Where the webhook will be reachable; chain.json endpoints are `<baseUrl>/<link>`. */
    baseUrl: z.url({ protocol: /^https?$/ }),
    /** The phrase that starts the task in Agent4. */
    trigger: z.string().check(z.maxLength(500)),
    example: z.optional(z.enum(EXAMPLES)),
    // May be empty when an example brings links of its own.
    links: z.array(LinkSpecSchema),
  })
  .check(
    z.superRefine((spec, ctx) => {
      if (spec.links.length === 0 && !spec.example) ctx.addIssue({ code: "custom", path: ["links"], message: "a chain needs at least one link" });
      const problem = spec.sessions && storeProblem(spec.runtime, spec.sessions);
      if (problem) ctx.addIssue({ code: "custom", path: ["sessions"], message: problem });
    }),
  );
export type ProjectSpec = z.infer<typeof ProjectSpecSchema>;

/** The store a runtime's projects get unless another is chosen: the first it takes. */
export function defaultStore(runtime: Runtime): SessionStoreName {
  return RUNTIME_INFO[runtime].stores[0]!;
}

/** The store a project keeps its sessions in: the one chosen, else its runtime's default. */
export function sessionsOf(spec: Pick<ProjectSpec, "runtime" | "sessions">): SessionStoreName {
  return spec.sessions ?? defaultStore(spec.runtime);
}

/**
 * JSON-schema keywords that become zod checks on `context` (per the parameter's type); every other
 * keyword a pasted block carries travels to Agent4 unchanged through `.meta()` and is not checked.
 */
export const CHECKED_KEYWORDS: Record<ParamType, readonly string[]> = {
  string: ["minLength", "maxLength"],
  number: ["minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"],
  integer: ["minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"],
  boolean: [],
  enum: [],
};

export { DEFAULT_BASE_URL } from "./base-url.js";
export const DEFAULT_TRIGGER = "I need help with my order";

export function triggerProblem(trigger: string): string | undefined {
  if (trigger.trim().length === 0) return "must not be empty";
  if (trigger.length > 500) return "is longer than 500 characters";
  return undefined;
}

/** The default parameters a new link gets when none are given: a reason for the two unhappy outcomes. */
export function defaultParameters(): LinkSpec["parameters"] {
  return {
    qualified: [],
    disqualified: [{ name: "reason", type: "string", description: "Reason for disqualification.", required: true }],
    interrupt: [{ name: "reason", type: "string", description: "Reason for interruption.", required: true }],
  };
}

/** A link with the default prompt and parameters: what a bare name in --link or a spec file gives. */
export function defaultLink(name: string): LinkSpec {
  return { name, prompt: defaultPrompt(name), parameters: defaultParameters() };
}

export function defaultPrompt(name: string): string {
  const words = name.replace(/_/g, " ").trim();
  return `You are handling the "${words}" step of this call. Ask the caller for what this step needs, confirm it back to them, and mark the task qualified once you have it. If the caller cannot or will not provide it, mark the task disqualified with a short reason.`;
}

export { LINK_NAME_RE };

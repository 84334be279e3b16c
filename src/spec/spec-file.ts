// The spec file (`create --spec`): `{runtime?, sessions?, baseUrl?, trigger?, example?, links: [{name, prompt?,
// qualified_parameters?, disqualified_parameters?, interrupt_parameters?}]}`. The zod schemas below
// check it, each message after the path it is about; a link may be just its name, and an omitted
// prompt or block takes the defaults a new link gets. specFileFor writes one back.
import * as z from "zod/mini";
import { OUTCOMES, type Outcome } from "../protocol/outcomes.js";
import { numberSample, stringSample } from "../protocol/samples.js";
import { baseUrlProblem } from "./base-url.js";
import { linkNameProblem } from "./names.js";
import { forward, isRecord, kind, mustBe, parseShape, problem, strict, text } from "./shape.js";
import {
  CHECKED_KEYWORDS,
  DEFAULT_BASE_URL,
  DEFAULT_TRIGGER,
  EXAMPLES,
  MAX_TEXT,
  RUNTIMES,
  defaultStore,
  SESSION_STORES,
  defaultParameters,
  defaultPrompt,
  triggerProblem,
  type Example,
  type LinkSpec,
  type ParamSpec,
  type ParamType,
  type Runtime,
  type SessionStoreName,
} from "./spec.js";

const JSON_TYPES = ["string", "number", "integer", "boolean"] as const;

const BLOCK_KEYS = {
  qualified: "qualified_parameters",
  disqualified: "disqualified_parameters",
  interrupt: "interrupt_parameters",
} as const satisfies Record<Outcome, string>;

// ---------------------------------------------------------------------------------------------
// One Agent4 parameter block: `{properties: {x: {type, description?, enum?, …}}, required: [...]}`

const description = z.optional(text);

/** A property with an enum: Agent4 takes string enums only. */
const EnumProperty = z.looseObject({
  type: z.optional(z.literal("string", { error: (issue) => `is ${JSON.stringify(issue.input)} with an enum: only string enums are supported (use "type": "string")` })),
  description,
  enum: z.array(z.string(mustBe("a string")).check(z.minLength(1, "must not be empty")), { error: "must be a non-empty array of strings" }).check(
    z.minLength(1, "must be a non-empty array of strings"),
    z.refine((values) => new Set(values).size === values.length, "lists a value twice"),
  ),
});

const TypedProperty = z.looseObject({
  type: z.enum(JSON_TYPES, {
    error: (issue) => `${issue.input === undefined ? "is missing" : `is ${JSON.stringify(issue.input)}`}: supported types are string, number, integer, boolean, or "string" with an enum`,
  }),
  description,
});

type Property = Record<string, unknown>;

const typeOf = (prop: Property): ParamType => (prop.enum !== undefined ? "enum" : JSON_TYPES.find((t) => t === prop.type)!);

/** The property's other JSON-schema keywords, kept so the project sends Agent4 the block as pasted. */
function keywordsOf(prop: Property): Record<string, unknown> {
  const keywords: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(prop)) if (key !== "type" && key !== "description" && key !== "enum") keywords[key] = value;
  return keywords;
}

/**
 * Why keyword `key` of parameter `name` cannot be kept. The bounds zod checks must be numbers; the
 * rest only has to compile as zod metadata.
 */
function keywordProblem(name: string, type: ParamType, key: string, value: unknown): string | undefined {
  if (key === "required") return `is not set per property: list ${JSON.stringify(name)} in the block's "required" array`;
  // zod turns `id` into a $ref to definitions the block does not carry; $schema belongs to the block.
  if (key === "id" || key === "$schema" || key === "__proto__") return "is not supported on a parameter";
  if (key === "title" && typeof value !== "string") return `must be a string, not ${kind(value)}`;
  if (key === "deprecated" && typeof value !== "boolean") return `must be a boolean, not ${kind(value)}`;
  if (!CHECKED_KEYWORDS[type].includes(key)) return undefined;
  if (typeof value !== "number") {
    const hint = typeof value === "boolean" && key.startsWith("exclusive") ? ` (the bound itself, as in JSON Schema 2020-12: "${key}": 0)` : "";
    return `must be a number, not ${kind(value)}${hint}`;
  }
  if (key.endsWith("Length") && !(Number.isInteger(value) && value >= 0)) return `must be a whole number of characters, not ${value}`;
  if (key === "minLength" && value > MAX_TEXT) return `must be at most ${MAX_TEXT} characters, not ${value}`;
  return undefined;
}

/** Bounds some value satisfies (its test sends one): the issue's path below the property and message. */
function boundsProblem(type: ParamType, keywords: Record<string, unknown>): [PropertyKey[], string] | undefined {
  if ((type === "number" || type === "integer") && numberSample(type, keywords) === undefined) return [[], `has bounds no ${type === "integer" ? "integer" : "number"} satisfies`];
  if (type === "string" && stringSample(keywords) === undefined) return [["minLength"], "is greater than maxLength"];
  return undefined;
}

/** `properties`, kept as given (a plain record: an own `__proto__` key is seen and refused). */
const Properties = z.custom<Record<string, Property>>(isRecord, mustBe("an object")).check(
  z.superRefine((properties, ctx) => {
    const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: "custom", path, message, input: properties });
    for (const [name, prop] of Object.entries(properties)) {
      if (name.length === 0) issue([name], "a parameter needs a non-empty name");
      else if (name === "__proto__") issue([name], "__proto__ cannot be a parameter name");
      else if (!isRecord(prop)) issue([name], `must be an object, not ${kind(prop)}`);
      else {
        const shape = (prop.enum !== undefined ? EnumProperty : TypedProperty).safeParse(prop);
        if (!shape.success) forward(ctx, shape, [name]);
        else {
          const type = typeOf(prop);
          const keywords = keywordsOf(prop);
          const refused = Object.entries(keywords).find(([key, value]) => keywordProblem(name, type, key, value));
          // Bounds are judged once each is a number in range.
          const bounds = refused ? undefined : boundsProblem(type, keywords);
          if (refused) issue([name, refused[0]], keywordProblem(name, type, ...refused)!);
          else if (bounds) issue([name, ...bounds[0]], bounds[1]);
        }
      }
    }
  }),
);

const Block = strict({
  properties: z.optional(Properties),
  required: z.optional(z.array(text, { error: (issue) => `must be an array of parameter names, not ${kind(issue.input)}` })),
  type: z.optional(z.literal("object", { error: 'must be "object" when given' })),
  additionalProperties: z.optional(z.unknown()),
  $schema: z.optional(z.unknown()),
}).check(
  z.superRefine((block, ctx) => {
    block.required?.forEach((name, i) => {
      if (!Object.hasOwn(block.properties ?? {}, name)) ctx.addIssue({ code: "custom", path: ["required", i], message: `names "${name}", which is not in properties`, input: name });
    });
  }),
);

function paramSpecs(block: z.infer<typeof Block>): ParamSpec[] {
  const required = block.required ?? [];
  return Object.entries(block.properties ?? {}).map(([name, prop]) => {
    const type = typeOf(prop);
    const keywords = keywordsOf(prop);
    return {
      name,
      type,
      ...(type === "enum" ? { values: EnumProperty.parse(prop).enum } : {}),
      description: typeof prop.description === "string" ? prop.description : "",
      required: required.includes(name),
      ...(Object.keys(keywords).length ? { keywords } : {}),
    };
  });
}

/** One parameter block as ParamSpecs in property order; `at` is where it sits, for messages. */
export function parameterBlock(label: string, at: PropertyKey[], value: unknown): ParamSpec[] {
  return paramSpecs(parseShape(Block, value, label, at));
}

/** The inverse of parameterBlock: what a spec file (and Agent4) would say for these parameters. */
export function toAgent4Block(params: readonly ParamSpec[]): { properties: Record<string, Record<string, unknown>>; required: string[] } {
  const properties: Record<string, Record<string, unknown>> = {};
  for (const p of params) {
    const entry: Record<string, unknown> = { type: p.type === "enum" ? "string" : p.type };
    if (p.description) entry.description = p.description;
    if (p.type === "enum") entry.enum = [...(p.values ?? [])];
    Object.assign(entry, p.keywords);
    Object.defineProperty(properties, p.name, { value: entry, enumerable: true, writable: true, configurable: true });
  }
  return { properties, required: params.filter((p) => p.required).map((p) => p.name) };
}

// ---------------------------------------------------------------------------------------------
// The file

const Prompt = text.check(
  z.maxLength(MAX_TEXT, `is longer than ${MAX_TEXT} characters`),
  // Agent4 would start the step with nothing to say; leaving the field out gives the default.
  problem((prompt: string) => (prompt.trim() === "" ? "is empty: write the prompt, or leave the field out for the default one" : undefined)),
);

const LinkEntry = z.pipe(
  z.transform((raw: unknown) => (typeof raw === "string" ? { name: raw } : raw)),
  strict({
    name: text.check(problem((name: string) => linkNameProblem(name) && `is invalid: ${linkNameProblem(name)}`)),
    prompt: z.optional(Prompt),
    [BLOCK_KEYS.qualified]: z.optional(Block),
    [BLOCK_KEYS.disqualified]: z.optional(Block),
    [BLOCK_KEYS.interrupt]: z.optional(Block),
  }),
);

const Links = z.array(LinkEntry, { error: (issue) => (issue.input === undefined ? "is missing: list the chain's links in order" : `must be an array, not ${kind(issue.input)}`) }).check(
  z.superRefine((links, ctx) => {
    const seen = new Set<string>();
    links.forEach(({ name }, i) => {
      if (seen.has(name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `"${name}" is listed twice`, input: name });
      seen.add(name);
    });
  }),
);

const oneOf = (values: readonly string[]) => ({
  error: (issue: { input?: unknown }) => (typeof issue.input === "string" ? `is "${issue.input}": expected one of ${values.join(", ")}` : `must be a string, not ${kind(issue.input)}`),
});

const SpecFileSchema = strict({
  $schema: z.optional(z.unknown()),
  runtime: z.optional(z.enum(RUNTIMES, oneOf(RUNTIMES))),
  sessions: z.optional(z.enum(SESSION_STORES, oneOf(SESSION_STORES))),
  baseUrl: z.optional(text.check(problem(baseUrlProblem))),
  trigger: z.optional(text.check(problem(triggerProblem))),
  example: z.optional(z.enum([...EXAMPLES, "none"], oneOf([...EXAMPLES, "none"]))),
  links: Links,
});

export interface SpecFile {
  runtime?: Runtime;
  sessions?: SessionStoreName;
  baseUrl?: string;
  trigger?: string;
  example?: Example;
  links: LinkSpec[];
}

/** A spec file's links, settings and defaults, or a UserError naming the first problem and its path. */
export function parseSpec(value: unknown, label = "spec"): SpecFile {
  const file = parseShape(SpecFileSchema, value, label);
  const defaults = defaultParameters();
  const links = file.links.map((link): LinkSpec => {
    const parameters = { ...defaults };
    for (const outcome of OUTCOMES) {
      const block = link[BLOCK_KEYS[outcome]];
      if (block) parameters[outcome] = paramSpecs(block);
    }
    return { name: link.name, prompt: link.prompt ?? defaultPrompt(link.name), parameters };
  });
  return {
    ...(file.runtime ? { runtime: file.runtime } : {}),
    ...(file.sessions ? { sessions: file.sessions } : {}),
    ...(file.baseUrl !== undefined ? { baseUrl: file.baseUrl } : {}),
    ...(file.trigger !== undefined ? { trigger: file.trigger } : {}),
    ...(file.example && file.example !== "none" ? { example: file.example } : {}),
    links,
  };
}

/**
 * The spec file that reproduces a project (the one-shot command after an interactive run). What
 * equals the defaults is left out: a default link is just its name.
 */
export function specFileFor(spec: { runtime: Runtime; sessions?: SessionStoreName | undefined; baseUrl: string; trigger: string; example?: Example | undefined; links: readonly LinkSpec[] }): Record<string, unknown> {
  const defaults = defaultParameters();
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return {
    runtime: spec.runtime,
    ...(spec.sessions && spec.sessions !== defaultStore(spec.runtime) ? { sessions: spec.sessions } : {}),
    ...(spec.baseUrl !== DEFAULT_BASE_URL ? { baseUrl: spec.baseUrl } : {}),
    ...(spec.trigger !== DEFAULT_TRIGGER ? { trigger: spec.trigger } : {}),
    ...(spec.example ? { example: spec.example } : {}),
    links: spec.links.map((l) => {
      const entry: Record<string, unknown> = { name: l.name };
      if (l.prompt !== defaultPrompt(l.name)) entry.prompt = l.prompt;
      for (const outcome of OUTCOMES) {
        if (!same(l.parameters[outcome], defaults[outcome])) entry[BLOCK_KEYS[outcome]] = toAgent4Block(l.parameters[outcome]);
      }
      return Object.keys(entry).length === 1 ? l.name : entry;
    }),
  };
}

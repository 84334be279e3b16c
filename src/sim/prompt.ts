// The interactive decider: asks (clack) how each link ends and for each parameter by its schema.
// Loaded only on a TTY, so scripted runs and `--help` never pay for @clack/prompts.
import type { Writable } from "node:stream";
import { CancelledError } from "../errors.js";
import { describeBlock } from "./render.js";
import type { Outcome } from "../protocol/outcomes.js";
import type { Decide } from "./walker.js";

type Clack = typeof import("@clack/prompts");
type JsonSchema = Record<string, unknown>;
const SKIP = Symbol("skip");

function cancelled(): never {
  throw new CancelledError("Simulation cancelled.");
}

function typeOf(schema: JsonSchema): string {
  const t = schema.type;
  if (typeof t === "string") return t;
  if (Array.isArray(t)) return String(t.find((x) => x !== "null") ?? "string");
  return "string";
}

async function askValue(clack: Clack, output: Writable, name: string, schema: JsonSchema, required: boolean): Promise<unknown> {
  const description = typeof schema.description === "string" && schema.description ? ` – ${schema.description}` : "";
  const message = `${name}${description}${required ? "" : " (optional)"}`;
  const enumValues = Array.isArray(schema.enum) ? schema.enum : undefined;
  const type = typeOf(schema);

  if (enumValues || type === "boolean") {
    const values: unknown[] = enumValues ?? [true, false];
    const options: Array<{ value: number | typeof SKIP; label: string }> = values.map((v, i) => ({ value: i, label: typeof v === "string" ? v : JSON.stringify(v) }));
    if (!required) options.push({ value: SKIP, label: "(leave out)" });
    const picked = await clack.select<number | typeof SKIP>({ message, options, output });
    if (clack.isCancel(picked)) cancelled();
    return picked === SKIP ? SKIP : values[picked];
  }

  const answer = await clack.text({
    message: `${message} [${type}]`,
    output,
    validate(value) {
      const v = (value ?? "").trim();
      if (!v) return required ? `${name} is required` : undefined;
      if (type === "integer" && !/^-?\d+$/.test(v)) return "enter a whole number";
      if (type === "number" && !Number.isFinite(Number(v))) return "enter a number";
      if (type === "object" || type === "array") {
        try {
          JSON.parse(v);
        } catch {
          return `enter JSON (${type})`;
        }
      }
      return undefined;
    },
  });
  if (clack.isCancel(answer)) cancelled();
  const v = (answer ?? "").trim();
  if (!v) return SKIP;
  if (type === "integer" || type === "number") return Number(v);
  if (type === "object" || type === "array") return JSON.parse(v) as unknown;
  return answer;
}

/** `output`: where the questions go (stderr when stdout carries --json). */
export async function interactiveDecider(output: Writable = process.stdout): Promise<Decide> {
  const clack = await import("@clack/prompts");
  return async ({ link, blocks }) => {
    const count = (o: Outcome) => {
      const block = blocks[o];
      if (!block) return o === "interrupt" ? "the caller hangs up" : "no parameters";
      const n = Object.keys(block.properties).length;
      return n ? describeBlock(block).map((d) => d.split(" (")[0]).join(", ") : "no parameters";
    };
    const outcome = await clack.select<Outcome>({
      message: `How does ${link} end?`,
      output,
      options: [
        { value: "qualified", label: "qualified", hint: count("qualified") },
        { value: "disqualified", label: "disqualified", hint: count("disqualified") },
        { value: "interrupt", label: "interrupt", hint: `caller hangs up${blocks.interrupt ? `; ${count("interrupt")}` : ""}` },
      ],
    });
    if (clack.isCancel(outcome)) cancelled();
    const block = blocks[outcome];
    if (!block) return { outcome, context: outcome === "interrupt" ? undefined : {} };
    const required = new Set(block.required);
    const context: Record<string, unknown> = {};
    for (const [name, schema] of Object.entries(block.properties)) {
      const value = await askValue(clack, output, name, schema, required.has(name));
      if (value !== SKIP) context[name] = value;
    }
    return { outcome, context };
  };
}

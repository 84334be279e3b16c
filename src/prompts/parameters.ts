// A link's prompt and parameters, asked the same way by create and add-link: the prompt (Enter
// for the default), then the defaults or each outcome's parameters field by field.
import { UserError } from "../errors.js";
import { OUTCOMES, type Outcome } from "../protocol/outcomes.js";
import { MAX_TEXT, PARAM_TYPES, defaultParameters, defaultPrompt, type LinkSpec, type ParamSpec, type ParamType } from "../spec/spec.js";
import { answered, check, p, shorten } from "./ui.js";

export function describeParam(param: ParamSpec): string {
  const type = param.type === "enum" ? `enum: ${(param.values ?? []).join(" | ")}` : param.type;
  return `${param.name} (${type}${param.required ? "" : ", optional"})`;
}

export function describeParams(params: readonly ParamSpec[]): string {
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

/** The link's prompt (Enter for `fallback`) and its parameters. */
export async function askLink(name: string, fallback = defaultPrompt(name)): Promise<LinkSpec> {
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

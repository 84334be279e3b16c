// `--qualified "timeslot:string:The timeslot selected by the user"`: name, type, description.
// `?` after the type makes it optional; `enum(a|b)` lists the allowed values; the description is
// everything after the second colon, colons included.
import { UserError } from "../errors.js";
import { OUTCOMES, type Outcome } from "../protocol/outcomes.js";
import { PARAM_TYPES, ParamSpecSchema, type LinkSpec, type ParamSpec, defaultParameters } from "./spec.js";
import { isOneOf } from "../one-of.js";

const PARAM_FLAG_FORM = '"name:type:description" (type: string, number, integer, boolean or enum(a|b); "?" after the type = optional)';

export function parseParamFlag(flag: string, option = "--qualified"): ParamSpec {
  const bad = (why: string): never => {
    throw new UserError(`${option} ${JSON.stringify(flag)}: ${why}; expected ${PARAM_FLAG_FORM}`);
  };
  const colon = flag.indexOf(":");
  const name = (colon < 0 ? flag : flag.slice(0, colon)).trim();
  if (!name) bad("the parameter needs a name");
  let rest = colon < 0 ? "" : flag.slice(colon + 1);
  let typeText: string;
  let values: string[] | undefined;
  const enumMatch = /^\s*enum\(([^)]*)\)/.exec(rest);
  if (enumMatch) {
    values = enumMatch[1]!.split("|").map((v) => v.trim());
    if (values.some((v) => v === "")) bad("enum values must not be empty");
    typeText = "enum";
    rest = rest.slice(enumMatch[0].length);
  } else {
    const next = rest.indexOf(":");
    typeText = (next < 0 ? rest : rest.slice(0, next)).trim();
    rest = next < 0 ? "" : rest.slice(next);
    if (!typeText) typeText = "string";
  }
  let required = true;
  if (typeText.endsWith("?")) {
    required = false;
    typeText = typeText.slice(0, -1).trim();
  } else if (/^\s*\?/.test(rest)) {
    required = false;
    rest = rest.replace(/^\s*\?/, "");
  }
  if (rest && !rest.startsWith(":")) bad(`unexpected ${JSON.stringify(rest)} after the type`);
  const description = rest.slice(1).trim();
  if (!isOneOf(PARAM_TYPES, typeText)) bad(`unknown type ${JSON.stringify(typeText)}`);
  const parsed = ParamSpecSchema.safeParse({ name, type: typeText, description, required, ...(values ? { values } : {}) });
  if (!parsed.success) bad(parsed.error.issues[0]?.message ?? "invalid parameter");
  return parsed.data!;
}

/** The parameters of a new link: flags where given, the defaults for the other outcomes. */
export function parametersFromFlags(flags: Partial<Record<Outcome, readonly string[] | undefined>>): LinkSpec["parameters"] {
  const defaults = defaultParameters();
  const out = { ...defaults };
  for (const outcome of OUTCOMES) {
    const given = flags[outcome];
    if (!given?.length) continue;
    const params = given.map((f) => parseParamFlag(f, `--${outcome}`));
    const seen = new Set<string>();
    for (const p of params) {
      if (seen.has(p.name)) throw new UserError(`--${outcome}: parameter "${p.name}" is given twice`);
      seen.add(p.name);
    }
    out[outcome] = params;
  }
  return out;
}

/**
 * Where in a JSON value something is, as a reader would write it: `links[1].qualified_parameters`,
 * `steps.pin_vetting[0].outcome`, `properties["pin code"]`. "" for the value itself; each caller
 * says what that is ("(top level)", "(body)"). Used for spec files, scenario files, chain files and
 * webhook answers alike, so every message names a place the same way.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (typeof part === "string" && /^[A-Za-z_$][\w$]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

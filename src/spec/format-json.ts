// JSON as a person would lay it out: what create prints for the spec file that repeats a run.

/** JSON on one line, with a space after each comma and colon: `{ "a": [1, 2] }`. */
function compactJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(compactJson).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    return `{ ${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${compactJson(v)}`).join(", ")} }`.replace(/^\{  \}$/, "{}");
  }
  return JSON.stringify(value);
}

/** JSON.stringify with 2-space indentation, but any object or array that fits on one line stays on one. */
export function formatJson(value: unknown, width = 100, indent = ""): string {
  const flat = compactJson(value);
  if (value === null || typeof value !== "object" || indent.length + flat.length <= width) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => inner + formatJson(v, width, inner)).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, width, inner)}`).join(",\n")}\n${indent}}`;
}

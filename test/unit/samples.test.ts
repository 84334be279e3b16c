// One sampler: the values create writes into a project's contract tests and the values verify
// sends a live webhook come from the same code, so they agree on every bound.
import { describe, expect, it } from "vitest";
import { helpers } from "../../src/generate/helpers.js";
import { sampleContext, sampleValue } from "../../src/protocol/samples.js";
import { toAgent4Block } from "../../src/spec/spec-file.js";
import type { ParamSpec } from "../../src/spec/spec.js";

const PARAMS: ParamSpec[] = [
  { name: "big", type: "number", description: "", required: true, keywords: { exclusiveMinimum: 1e17 } },
  { name: "tiny", type: "number", description: "", required: true, keywords: { exclusiveMaximum: -1e17 } },
  { name: "between", type: "number", description: "", required: true, keywords: { exclusiveMinimum: 2 ** 60, maximum: 2 ** 61 } },
  { name: "open", type: "number", description: "", required: true, keywords: { exclusiveMinimum: 5 } },
  { name: "count", type: "integer", description: "", required: true, keywords: { minimum: 3 } },
  { name: "below", type: "integer", description: "", required: true, keywords: { exclusiveMaximum: 0 } },
  { name: "email", type: "string", description: "", required: true, keywords: { format: "email", maxLength: 40 } },
  { name: "long", type: "string", description: "", required: true, keywords: { minLength: 12 } },
  { name: "short", type: "string", description: "", required: true, keywords: { maxLength: 3 } },
  { name: "plan", type: "enum", values: ["basic", "pro"], description: "", required: true },
  { name: "ok", type: "boolean", description: "", required: false },
  // A default outside the bounds is not a value to send; a const of the parameter's type is the only one.
  { name: "floor", type: "integer", description: "", required: true, keywords: { minimum: 10, default: 7 } },
  { name: "fixed", type: "string", description: "", required: true, keywords: { const: "v2" } },
  { name: "odd", type: "string", description: "", required: true, keywords: { const: 5 } },
  { name: "short_const", type: "string", description: "", required: true, keywords: { const: "toolong", maxLength: 3 } },
  { name: "tier", type: "enum", values: ["a", "b"], description: "", required: true, keywords: { const: "z" } },
  { name: "low", type: "number", description: "", required: true, keywords: { const: 5, minimum: 10 } },
  { name: "huge", type: "integer", description: "", required: true, keywords: { const: 1e20 } },
];

describe("sample values", () => {
  it("stay inside an open bound a double cannot step past by 1", () => {
    expect(sampleValue({ type: "number", exclusiveMinimum: 1e17 })).toBeGreaterThan(1e17);
    expect(sampleValue({ type: "number", exclusiveMaximum: -1e17 })).toBeLessThan(-1e17);
    expect(sampleValue({ type: "number", exclusiveMinimum: 0.1, exclusiveMaximum: 0.2 })).toBeCloseTo(0.15);
  });

  it("are the same in a generated project's tests and in what verify sends", () => {
    const block = toAgent4Block(PARAMS);
    const sent = sampleContext(block);
    for (const p of PARAMS) {
      expect(JSON.parse(helpers.sample(p)), p.name).toEqual(sent[p.name]);
    }
    expect(sent.big).toBeGreaterThan(1e17);
    expect(sent.email).toBe("caller@example.com");
    expect(sent).toMatchObject({ floor: 10, fixed: "v2", odd: "example", short_const: "exa", tier: "a", low: 10, huge: 1 });
  });
});

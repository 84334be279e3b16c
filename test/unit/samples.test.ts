// One sampler: the values create writes into a project's contract tests and the values verify
// sends a live webhook come from the same code, so they agree on every bound.
import { describe, expect, it } from "vitest";
import { helpers } from "../../src/generate/helpers.js";
import { sampleContext, sampleValue } from "../../src/protocol/samples.js";
import { toAgent4Block } from "../../src/spec/parse.js";
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
  });
});

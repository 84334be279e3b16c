import { describe, expect, it } from "vitest";
import { oneLine } from "../../src/report.js";

describe("error lines", () => {
  it("keeps short messages as they are", () => {
    expect(oneLine('link name "Bad" is invalid')).toBe('link name "Bad" is invalid');
  });

  it("escapes newlines and control characters so the error stays one line", () => {
    const line = oneLine('no link "a\nb\r\u0007" in the chain');
    expect(line).not.toMatch(/[\n\r\u0007]/);
    expect(line).toBe('no link "a\\nb\\u000d\\u0007" in the chain');
  });

  it("cuts the middle of a very long message, keeping its start and end", () => {
    const line = oneLine(`link name "${"x".repeat(40_000)}" is too long`);
    expect(line.length).toBeLessThan(330);
    expect(line.startsWith('link name "xxx')).toBe(true);
    expect(line.endsWith('" is too long')).toBe(true);
    expect(line).toMatch(/more characters/);
  });
});

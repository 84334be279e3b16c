import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { parametersFromFlags, parseParamFlag } from "../../src/spec/param-flag.js";
import { defaultParameters } from "../../src/spec/spec.js";

describe("parseParamFlag", () => {
  it("reads name:type:description, the description keeping its colons", () => {
    expect(parseParamFlag("timeslot:string:The timeslot selected by the user: 9:30 or 10:00")).toEqual({
      name: "timeslot",
      type: "string",
      description: "The timeslot selected by the user: 9:30 or 10:00",
      required: true,
    });
  });
  it("? after the type makes it optional; enum(a|b) lists values", () => {
    expect(parseParamFlag("pin:string?:A PIN")).toMatchObject({ name: "pin", type: "string", required: false, description: "A PIN" });
    expect(parseParamFlag("kind:enum(phone|in person)?:How")).toEqual({ name: "kind", type: "enum", values: ["phone", "in person"], required: false, description: "How" });
    expect(parseParamFlag("count:integer")).toEqual({ name: "count", type: "integer", required: true, description: "" });
    expect(parseParamFlag("ok:boolean:")).toMatchObject({ type: "boolean", description: "" });
    expect(parseParamFlag("note")).toMatchObject({ name: "note", type: "string" });
  });
  it("rejects unknown types, empty names, bad enums with one line naming the flag", () => {
    for (const [flag, why] of [
      ["when:date:x", /unknown type "date"/],
      [":string:x", /needs a name/],
      ["k:enum(a||b):x", /enum values must not be empty/],
      ["k:enum(a|a)", /unique/],
      ["k:enum(a)x:y", /unexpected "x:y" after the type/],
    ] as const) {
      expect(() => parseParamFlag(flag, "--interrupt")).toThrow(UserError);
      expect(() => parseParamFlag(flag, "--interrupt")).toThrow(why);
      expect(() => parseParamFlag(flag, "--interrupt")).toThrow(/^--interrupt /);
    }
  });
});

describe("parametersFromFlags", () => {
  it("uses the defaults for outcomes without flags", () => {
    expect(parametersFromFlags({})).toEqual(defaultParameters());
    const p = parametersFromFlags({ qualified: ["a:number"] });
    expect(p.qualified).toEqual([{ name: "a", type: "number", required: true, description: "" }]);
    expect(p.interrupt).toEqual(defaultParameters().interrupt);
  });
});

import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { baseUrlProblem } from "../../src/spec/base-url.js";
import { parseChain } from "../../src/spec/chain-file.js";
import { formatJson } from "../../src/spec/format-json.js";
import { jsonErrorOffset, parseJsonText } from "../../src/spec/json-text.js";
import { splitLinkFlags } from "../../src/spec/names.js";
import { parameterBlock, parseSpec, specFileFor, toAgent4Block } from "../../src/spec/spec-file.js";
import { packageNameFrom, resolveTarget } from "../../src/spec/target.js";
import { trimTrailingSlashes } from "../../src/spec/base-url.js";
import { numberSample, stringSample } from "../../src/protocol/samples.js";
import { DEFAULT_BASE_URL, DEFAULT_TRIGGER, defaultParameters, defaultPrompt, MAX_TEXT, type ParamSpec } from "../../src/spec/spec.js";

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).not.toContain("\n");
    return (error as Error).message;
  }
  throw new Error("expected a UserError");
}

describe("splitLinkFlags", () => {
  it("takes repeated and comma-separated names in order", () => {
    expect(splitLinkFlags(["a,b", " c ", "d,,e,"])).toEqual(["a", "b", "c", "d", "e"]);
    expect(splitLinkFlags("x")).toEqual(["x"]);
    expect(splitLinkFlags(undefined)).toEqual([]);
  });
});

describe("JSON errors", () => {
  it("name the line and column", () => {
    expect(message(() => parseJsonText('{\n  "a": 1,\n}', "spec.json"))).toBe("spec.json:3:1: invalid JSON (Expected double-quoted property name)");
    expect(message(() => parseJsonText('{"a": tru}', "spec.json"))).toBe("spec.json:1:10: invalid JSON (Unexpected token '}')");
    expect(message(() => parseJsonText('[\n {"name": "a"}\n', "chain.json"))).toBe("chain.json:3:1: invalid JSON (unexpected end of file)");
    expect(message(() => parseJsonText("", "x.json"))).toBe("x.json:1:1: invalid JSON (unexpected end of file)");
  });

  it("accept a byte-order mark", () => {
    expect(parseJsonText('\ufeff{"a":1}', "x")).toEqual({ a: 1 });
  });

  it("the scanner agrees with JSON.parse on what is valid", () => {
    const jsonish = fc.oneof(
      fc.json(),
      fc.json().map((s) => s.slice(0, Math.floor(s.length / 2))),
      fc.stringMatching(/^[\s{}[\]",:0-9a-z\\.eE+-]{0,20}$/),
    );
    fc.assert(
      fc.property(jsonish, (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(jsonErrorOffset(text) === -1).toBe(valid);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("parameter blocks", () => {
  it("map Agent4 JSON schema to parameters", () => {
    const params = parameterBlock("spec", ["p"], {
      properties: {
        pin: { type: "string", description: "The PIN." },
        amount: { type: "number" },
        count: { type: "integer", description: "How many." },
        ok: { type: "boolean" },
        channel: { type: "string", enum: ["sms", "call"], description: "How." },
        "odd key": { enum: ["x"] },
      },
      required: ["pin", "channel"],
    });
    expect(params).toEqual([
      { name: "pin", type: "string", description: "The PIN.", required: true },
      { name: "amount", type: "number", description: "", required: false },
      { name: "count", type: "integer", description: "How many.", required: false },
      { name: "ok", type: "boolean", description: "", required: false },
      { name: "channel", type: "enum", values: ["sms", "call"], description: "How.", required: true },
      { name: "odd key", type: "enum", values: ["x"], description: "", required: false },
    ]);
  });

  it("name the path of what they cannot take", () => {
    const spec = (block: unknown) => ({ links: ["a", { name: "b", qualified_parameters: block }] });
    expect(message(() => parseSpec(spec({ properties: { pin: { type: "array" } } }), "s.json"))).toBe(
      's.json: links[1].qualified_parameters.properties.pin.type is "array": supported types are string, number, integer, boolean, or "string" with an enum',
    );
    expect(message(() => parseSpec(spec({ properties: { pin: { description: "x" } } }), "s.json"))).toMatch(/^s\.json: links\[1\]\.qualified_parameters\.properties\.pin\.type is missing/);
    expect(message(() => parseSpec(spec({ properties: { n: { type: "integer", enum: [1, 2] } } }), "s.json"))).toMatch(
      /links\[1\]\.qualified_parameters\.properties\.n\.type is "integer" with an enum: only string enums/,
    );
    expect(message(() => parseSpec(spec({ properties: { e: { type: "string", enum: [] } } }), "s.json"))).toMatch(/properties\.e\.enum must be a non-empty array/);
    expect(message(() => parseSpec(spec({ properties: { e: { enum: ["a", 2] } } }), "s.json"))).toMatch(/properties\.e\.enum\[1\] must be a string, not a number/);
    expect(message(() => parseSpec(spec({ properties: { e: { enum: ["a", "a"] } } }), "s.json"))).toMatch(/properties\.e\.enum lists a value twice/);
    expect(message(() => parseSpec(spec({ properties: {}, required: ["pin"] }), "s.json"))).toBe(
      's.json: links[1].qualified_parameters.required[0] names "pin", which is not in properties',
    );
    expect(message(() => parseSpec(spec({ properties: { "my key": { type: 3 } } }), "s.json"))).toMatch(/properties\["my key"\]\.type is 3/);
    expect(message(() => parseSpec(spec([]), "s.json"))).toBe("s.json: links[1].qualified_parameters must be an object, not an array");
    expect(message(() => parseSpec(spec({ properties: { p: { type: "string", description: 5 } } }), "s.json"))).toMatch(/properties\.p\.description must be a string/);
  });

  it("keep a property's other JSON-schema keywords, refusing what would not compile or never validates", () => {
    const [n, s, e] = parameterBlock("spec", ["p"], {
      properties: {
        n: { type: "integer", description: "N.", minimum: 1, exclusiveMaximum: 10, default: 2, multipleOf: 1 },
        s: { type: "string", format: "email", maxLength: 80 },
        e: { type: "string", enum: ["a"], title: "E", deprecated: false },
      },
    });
    expect(n).toEqual({ name: "n", type: "integer", description: "N.", required: false, keywords: { minimum: 1, exclusiveMaximum: 10, default: 2, multipleOf: 1 } });
    expect(s!.keywords).toEqual({ format: "email", maxLength: 80 });
    expect(e!.keywords).toEqual({ title: "E", deprecated: false });
    expect(toAgent4Block([n!, s!, e!]).properties).toEqual({
      n: { type: "integer", description: "N.", minimum: 1, exclusiveMaximum: 10, default: 2, multipleOf: 1 },
      s: { type: "string", format: "email", maxLength: 80 },
      e: { type: "string", enum: ["a"], title: "E", deprecated: false },
    });

    const spec = (prop: unknown) => ({ links: [{ name: "b", qualified_parameters: { properties: { x: prop } } }] });
    const at = "s.json: links[0].qualified_parameters.properties.x";
    expect(message(() => parseSpec(spec({ type: "integer", minimum: "1" }), "s.json"))).toBe(`${at}.minimum must be a number, not a string`);
    expect(message(() => parseSpec(spec({ type: "number", minimum: 0, exclusiveMinimum: true }), "s.json"))).toBe(
      `${at}.exclusiveMinimum must be a number, not a boolean (the bound itself, as in JSON Schema 2020-12: "exclusiveMinimum": 0)`,
    );
    expect(message(() => parseSpec(spec({ type: "integer", minimum: 5, maximum: 4 }), "s.json"))).toBe(`${at} has bounds no integer satisfies`);
    expect(message(() => parseSpec(spec({ type: "integer", exclusiveMinimum: 1, exclusiveMaximum: 2 }), "s.json"))).toBe(`${at} has bounds no integer satisfies`);
    expect(message(() => parseSpec(spec({ type: "number", minimum: 1, exclusiveMaximum: 1 }), "s.json"))).toBe(`${at} has bounds no number satisfies`);
    expect(message(() => parseSpec(spec({ type: "string", minLength: 1.5 }), "s.json"))).toBe(`${at}.minLength must be a whole number of characters, not 1.5`);
    expect(message(() => parseSpec(spec({ type: "string", minLength: 3, maxLength: 2 }), "s.json"))).toBe(`${at}.minLength is greater than maxLength`);
    expect(message(() => parseSpec(spec({ type: "string", required: true }), "s.json"))).toBe(`${at}.required is not set per property: list "x" in the block's "required" array`);
    expect(message(() => parseSpec(spec({ type: "string", id: "x" }), "s.json"))).toBe(`${at}.id is not supported on a parameter`);
    expect(message(() => parseSpec(spec({ type: "string", title: 3 }), "s.json"))).toBe(`${at}.title must be a string, not a number`);
    // A sample that long would be written into the link's test (one of 1e9 characters cannot be made).
    expect(message(() => parseSpec(spec({ type: "string", minLength: 1_000_000_000 }), "s.json"))).toBe(`${at}.minLength must be at most ${MAX_TEXT} characters, not 1000000000`);
    expect(message(() => parseSpec(spec({ type: "string", minLength: MAX_TEXT + 1 }), "s.json"))).toMatch(/minLength must be at most/);
    expect(stringSample({ minLength: MAX_TEXT })).toHaveLength(MAX_TEXT);
    expect(stringSample({ maxLength: 1_000_000_000 })).toBe("example");
    // Bounds on a type they do not apply to are metadata, as JSON Schema has it.
    expect(parseSpec(spec({ type: "boolean", minimum: "x" })).links[0]!.parameters.qualified[0]!.keywords).toEqual({ minimum: "x" });
  });

  it("sample a value inside open bounds, also where 1 is below a double's precision", () => {
    expect(numberSample("number", { exclusiveMinimum: 1e17 })).toBeGreaterThan(1e17);
    expect(numberSample("number", { exclusiveMaximum: -1e17 })).toBeLessThan(-1e17);
    expect(numberSample("number", { exclusiveMinimum: 2 ** 60, maximum: 2 ** 61 })).toBeGreaterThan(2 ** 60);
    expect(numberSample("number", { exclusiveMinimum: 0 })).toBe(1.5);
    expect(numberSample("number", { exclusiveMaximum: 0 })).toBe(-1);
    expect(numberSample("number", { exclusiveMinimum: 5 })).toBe(6);
    expect(numberSample("integer", { exclusiveMinimum: 0 })).toBe(1);
    expect(numberSample("integer", { exclusiveMaximum: 0 })).toBe(-1);
    // No double lies between them, or above the largest one; z.int() keeps to safe integers.
    expect(numberSample("number", { exclusiveMinimum: 1e17, exclusiveMaximum: 1e17 + 16 })).toBeUndefined();
    expect(numberSample("number", { exclusiveMinimum: Number.MAX_VALUE })).toBeUndefined();
    expect(numberSample("integer", { exclusiveMinimum: 1e17 })).toBeUndefined();
    const spec = { links: [{ name: "b", qualified_parameters: { properties: { x: { type: "number", exclusiveMinimum: 1e17 } } } }] };
    expect(parseSpec(spec).links[0]!.parameters.qualified[0]!.keywords).toEqual({ exclusiveMinimum: 1e17 });
  });

  it("round-trip through the Agent4 shape", () => {
    // Integer-like keys ("0") are ordered first by every JS object, so order is kept for the rest.
    const name = fc.string({ minLength: 1, maxLength: 12 }).filter((n) => n !== "__proto__" && !/^(0|[1-9]\d*)$/.test(n));
    const text = fc.string({ maxLength: 40 });
    const param: fc.Arbitrary<ParamSpec> = fc.oneof(
      fc.record({ name, type: fc.constantFrom("string", "number", "integer", "boolean" as const), description: text, required: fc.boolean() }),
      fc.record({ name, type: fc.constant("enum" as const), values: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 4 }), description: text, required: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.uniqueArray(param, { selector: (p) => p.name, maxLength: 5 }), (params) => {
        const back = parameterBlock("x", [], JSON.parse(JSON.stringify(toAgent4Block(params))));
        expect(back).toEqual(params);
      }),
    );
  });
});

describe("spec files", () => {
  it("fill in what a link leaves out with the defaults", () => {
    const spec = parseSpec({ runtime: "hono", baseUrl: "https://x.test/hooks", trigger: "hi", links: ["pin_vetting", { name: "data", prompt: "Ask." }] });
    expect(spec.runtime).toBe("hono");
    expect(spec.baseUrl).toBe("https://x.test/hooks");
    expect(spec.trigger).toBe("hi");
    expect(spec.links).toEqual([
      { name: "pin_vetting", prompt: defaultPrompt("pin_vetting"), parameters: defaultParameters() },
      { name: "data", prompt: "Ask.", parameters: defaultParameters() },
    ]);
  });

  it("reject what they cannot use, saying where", () => {
    expect(message(() => parseSpec([], "s.json"))).toBe("s.json: (top level) must be an object, not an array");
    expect(message(() => parseSpec({}, "s.json"))).toBe("s.json: links is missing: list the chain's links in order");
    expect(message(() => parseSpec({ links: ["a"], runtim: "node" }, "s.json"))).toMatch(/^s\.json: runtim is not a known field/);
    expect(message(() => parseSpec({ links: ["a"], runtime: "deno" }, "s.json"))).toMatch(/^s\.json: runtime is "deno": expected one of node, express/);
    expect(message(() => parseSpec({ links: ["a"], baseUrl: "ftp://x" }, "s.json"))).toMatch(/^s\.json: baseUrl must start with http/);
    expect(message(() => parseSpec({ links: ["a", { name: "Bad-Name" }] }, "s.json"))).toMatch(/^s\.json: links\[1\]\.name is invalid: link name "Bad-Name" must start/);
    expect(message(() => parseSpec({ links: ["a", "a"] }, "s.json"))).toBe('s.json: links[1].name "a" is listed twice');
    expect(message(() => parseSpec({ links: [{ name: "a", qualified: {} }] }, "s.json"))).toMatch(/^s\.json: links\[0\]\.qualified is not a known field/);
    expect(message(() => parseSpec({ links: [{ name: "a", prompt: 1 }] }, "s.json"))).toBe("s.json: links[0].prompt must be a string, not a number");
    expect(message(() => parseSpec({ links: [{ name: "a", prompt: " \n" }] }, "s.json"))).toBe(
      "s.json: links[0].prompt is empty: write the prompt, or leave the field out for the default one",
    );
    expect(message(() => parseSpec({ links: [{ name: "a" }], trigger: " " }, "s.json"))).toBe("s.json: trigger must not be empty");
  });

  it("specFileFor writes a spec that parses back to the same links", () => {
    const links = [
      { name: "a", prompt: defaultPrompt("a"), parameters: defaultParameters() },
      {
        name: "b",
        prompt: 'Say "hi" `${x}` */\nünï',
        parameters: {
          qualified: [{ name: "choice", type: "enum" as const, values: ["x", "y"], description: "d", required: true }],
          disqualified: [],
          interrupt: defaultParameters().interrupt,
        },
      },
    ];
    const file = specFileFor({ runtime: "node", baseUrl: DEFAULT_BASE_URL, trigger: DEFAULT_TRIGGER, links });
    expect(file).toEqual({
      runtime: "node",
      links: ["a", { name: "b", prompt: links[1]!.prompt, qualified_parameters: toAgent4Block(links[1]!.parameters.qualified), disqualified_parameters: { properties: {}, required: [] } }],
    });
    expect(parseSpec(JSON.parse(formatJson(file))).links).toEqual(links);
  });
});

describe("chain files", () => {
  it("take one link per entry and the base the endpoints share", () => {
    expect(parseChain([{ name: "pin_vetting", endpoint: "https://h.test/api/pin_vetting?token=s3cret" }, { name: "data", endpoint: "https://h.test/api/data" }])).toEqual({
      names: ["pin_vetting", "data"],
      baseUrl: "https://h.test/api",
    });
    // Agent4's own example: every link at one URL.
    expect(parseChain([{ name: "a", endpoint: "https://your.webhook" }, { name: "b", endpoint: "https://your.webhook" }])).toEqual({ names: ["a", "b"], baseUrl: "https://your.webhook" });
    expect(parseChain([{ name: "a", endpoint: "https://one.test/a?token=x" }, { name: "b", endpoint: "https://two.test/b" }])).toEqual({
      names: ["a", "b"],
      unsharedEndpoints: ["https://one.test/a", "https://two.test/b"],
    });
    expect(parseChain([{ name: "a", endpoint: "https://one.test/x" }, { name: "b" }])).toEqual({ names: ["a", "b"], unsharedEndpoints: ["https://one.test/x"] });
    // Trailing slashes, trimmed by a loop (`/\/+$/` is quadratic in a run of slashes mid-path: 0.5 s
    // for 40,000, minutes for a million; not timed here).
    const slashes = "/".repeat(1000);
    expect(parseChain([{ name: "a", endpoint: `https://h.test/x${slashes}y/a` }])).toEqual({ names: ["a"], baseUrl: `https://h.test/x${slashes}y` });
    expect(parseChain([{ name: "a", endpoint: `https://h.test/x${slashes}` }, { name: "b", endpoint: `https://h.test/x${slashes}` }])).toEqual({ names: ["a", "b"], baseUrl: "https://h.test/x" });
    expect(trimTrailingSlashes(`${slashes}x${slashes}`)).toBe(`${slashes}x`);
    expect(["", "/", "a", "a/", "a//", "/a/"].map(trimTrailingSlashes)).toEqual(["", "", "a", "a", "a", "/a"]);
    expect(parseChain([{ name: "a" }])).toEqual({ names: ["a"] });
  });

  it("say where an entry is wrong", () => {
    expect(message(() => parseChain({ name: "a" }, "c.json"))).toBe('c.json: (top level) must be an array of {"name", "endpoint"} entries, not an object');
    expect(message(() => parseChain([], "c.json"))).toBe("c.json: (top level) is empty: a chain needs at least one link");
    expect(message(() => parseChain([{ name: "a", endpoint: "x" }, { name: "PIN" }], "c.json"))).toMatch(/^c\.json: \[0\]\.endpoint is not a URL/);
    expect(message(() => parseChain([{ name: "a" }, { name: "PIN" }], "c.json"))).toMatch(/^c\.json: \[1\]\.name is invalid/);
    // Names Agent4 takes but files and identifiers cannot: a valid one is suggested.
    expect(message(() => parseChain([{ name: "PIN-Vetting", endpoint: "https://h.test/x" }], "c.json"))).toBe(
      'c.json: [0].name is invalid: link name "PIN-Vetting" must start with a lowercase letter and use only lowercase letters, digits and underscores (like pin_vetting); rename it in the file, e.g. to "pin_vetting": Agent4 takes the new name from the chain.json this writes',
    );
    expect(message(() => parseChain([{ name: "2FA check" }], "c.json"))).toContain('e.g. to "link_2fa_check"');
    expect(message(() => parseChain([{ name: "health" }], "c.json"))).toContain('is reserved; pick another; rename it in the file, e.g. to "health_link"');
    expect(message(() => parseChain([{ name: "???" }], "c.json"))).toMatch(/rename it in the file: Agent4/);
    expect(message(() => parseChain([{ name: "a" }, { name: "a" }], "c.json"))).toBe('c.json: [1].name "a" is listed twice');
    expect(message(() => parseChain([{ endpoint: "https://x" }], "c.json"))).toBe("c.json: [0].name must be a string, not undefined");
  });
});

describe("single values", () => {
  it("base URLs are http(s) without a query", () => {
    expect(baseUrlProblem("https://x.test/a/")).toBeUndefined();
    expect(baseUrlProblem("x.test")).toMatch(/is not a URL/);
    expect(baseUrlProblem("ftp://x.test")).toMatch(/http/);
    expect(baseUrlProblem("https://x.test/?token=1")).toMatch(/query/);
  });

  it("package names come from the folder name", () => {
    expect(packageNameFrom("my-chain")).toBe("my-chain");
    expect(packageNameFrom("My Chain!")).toBe("my-chain");
    expect(packageNameFrom(".hidden_Thing")).toBe("hidden_thing");
    expect(packageNameFrom("Crème Brûlée")).toBe("creme-brulee");
    expect(packageNameFrom("日本")).toBe("taskchain-webhook");
    expect(packageNameFrom("x".repeat(300))).toHaveLength(214);
    expect(packageNameFrom("~Tilde~ch(a)in")).toBe("tilde-ch-a-in");
    expect(packageNameFrom("http")).toBe("http-webhook");
  });

  it("package names are valid for a new npm package, whatever the folder is called", () => {
    // validate-npm-package-name's validForNewPackages, restated.
    const valid = (name: string) =>
      name.length > 0 &&
      name.length <= 214 &&
      /^[a-z0-9]/.test(name) &&
      !/[~'!()*A-Z]/.test(name) &&
      encodeURIComponent(name) === name &&
      !["node_modules", "favicon.ico"].includes(name) &&
      !builtinModules.includes(name);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), fc.constantFrom(...builtinModules, "~x", "Node_Modules", "._-")), (folder) => {
        const name = packageNameFrom(folder);
        expect(valid(name), name).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("the target directory", () => {
  const cwd = mkdtempSync(path.join(os.tmpdir(), "taskchain-target-"));
  mkdirSync(path.join(cwd, "full"));
  writeFileSync(path.join(cwd, "full", "x"), "");
  writeFileSync(path.join(cwd, "file"), "");
  mkdirSync(path.join(cwd, "empty"));
  const outside = mkdtempSync(path.join(os.tmpdir(), "taskchain-outside-"));
  symlinkSync(outside, path.join(cwd, "link"));

  it("accepts new, empty and (with --force) full directories", () => {
    expect(resolveTarget("new-one", cwd, false)).toEqual({ root: path.join(cwd, "new-one"), display: "new-one", nonEmpty: false, packageName: "new-one" });
    expect(resolveTarget("empty", cwd, false).nonEmpty).toBe(false);
    expect(resolveTarget("full", cwd, true).nonEmpty).toBe(true);
    expect(resolveTarget("a/b/../c", cwd, false).display).toBe(path.join("a", "c"));
    expect(resolveTarget(".", path.join(cwd, "empty"), false)).toMatchObject({ display: ".", packageName: "empty" });
    expect(resolveTarget(path.join(cwd, "abs"), "/", false).display).toBe(path.join(cwd, "abs"));
  });

  it("refuses what escapes, is a file, or is full", () => {
    expect(message(() => resolveTarget("../x", cwd, false))).toBe("../x is outside the current directory: cd to where the project should go, or pass an absolute path");
    expect(message(() => resolveTarget("a/../../x", cwd, false))).toMatch(/is outside the current directory/);
    expect(message(() => resolveTarget(`${cwd}/../x`, cwd, false))).toMatch(/climbs out with "\.\."/);
    expect(message(() => resolveTarget("file", cwd, false))).toBe("file exists and is a file, not a directory");
    expect(message(() => resolveTarget("file/sub", cwd, false))).toMatch(/file/);
    expect(message(() => resolveTarget("full", cwd, false))).toBe("full is not empty: pick a new directory, or pass --force to write into it");
    expect(message(() => resolveTarget("link", cwd, false))).toBe("link is a symbolic link: pass the directory it points to");
    expect(message(() => resolveTarget("link/sub", cwd, false))).toBe("link/sub leads outside the current directory through a symbolic link");
    expect(message(() => resolveTarget("", cwd, false))).toBe("the project directory must not be empty");
  });
});

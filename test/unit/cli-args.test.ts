import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { commanderLine, editDistance, nearCommand, settleFirstArgument } from "../../src/args.js";
import * as options from "../../src/options.js";
import { UserError } from "../../src/errors.js";

const COMMANDS = ["add-link", "remove-link", "rename-link", "chain", "simulate", "verify"];
const argv = (...args: string[]) => ["node", "cli.js", ...args];

describe("commander's errors", () => {
  it("put a suggestion on the same line, without a literal \\n", () => {
    const line = commanderLine("error: unknown option '--links'\n(Did you mean --link?)\n");
    expect(line).toBe("unknown option '--links'; did you mean --link?");
    expect(line).not.toContain("\\n");
    expect(commanderLine("error: unknown command 'x'\n(Did you mean one of a, b?)")).toBe("unknown command 'x'; did you mean one of a, b?");
  });

  it("still escape a newline the user typed", () => {
    expect(commanderLine("error: unknown option '--bo\ngus'\n")).toBe("unknown option '--bo\\ngus'");
  });
});

describe("edit distance", () => {
  it("counts inserts, deletes, substitutions and adjacent swaps as one edit each", () => {
    expect(editDistance("simlate", "simulate")).toBe(1);
    expect(editDistance("chian", "chain")).toBe(1);
    expect(editDistance("verfy", "verify")).toBe(1);
    expect(editDistance("add-lnk", "add-link")).toBe(1);
    expect(editDistance("my-chain", "chain")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
  });
});

describe("the first argument", () => {
  it("refuses a near-miss of a command with one line naming it", () => {
    for (const [typed, meant] of [
      ["simlate", "simulate"],
      ["add-lnk", "add-link"],
      ["verfy", "verify"],
      ["Verify", "verify"],
      ["chian", "chain"],
      ["crate", "create"],
      ["remove-lik", "remove-link"],
      ["hlep", "help"],
    ] as const) {
      let error: unknown;
      try {
        settleFirstArgument(argv(typed, "--url", "x"), COMMANDS);
      } catch (e) {
        error = e;
      }
      expect(error, typed).toBeInstanceOf(UserError);
      const message = (error as UserError).message;
      expect(message).toBe(`unknown command '${typed}'; did you mean ${meant}? (to create a project in a folder of that name: create-taskchain create ${typed})`);
      expect((error as UserError).exitCode).toBe(1);
    }
  });

  it("keeps folder names that are not slips of a command", () => {
    for (const dir of ["my-chain", "orders", "pin-chain", "main", "brain", "p", ".", "./simlate", "sub/verfy", "chain-demo", "simulations", "verify-bot"]) {
      expect(settleFirstArgument(argv(dir, "--link", "a"), COMMANDS), dir).toEqual(argv(dir, "--link", "a"));
      expect(nearCommand(dir, [...COMMANDS, "create"]), dir).toBeUndefined();
    }
    // Commands and options pass through for commander.
    expect(settleFirstArgument(argv("simulate", "--json"), COMMANDS)).toEqual(argv("simulate", "--json"));
    expect(settleFirstArgument(argv("--link", "a", "p"), COMMANDS)).toEqual(argv("--link", "a", "p"));
    expect(settleFirstArgument(argv(), COMMANDS)).toEqual(argv());
  });

  it("takes an explicit create, whose directory is never read as a command", () => {
    expect(settleFirstArgument(argv("create", "my-chain", "--link", "a", "--yes"), COMMANDS)).toEqual(argv("my-chain", "--link", "a", "--yes"));
    expect(settleFirstArgument(argv("create"), COMMANDS)).toEqual(argv());
    expect(settleFirstArgument(argv("create", "--link", "a"), COMMANDS)).toEqual(argv("--link", "a"));
    // The escape hatch the refusal names: a folder called like a slip, or like a command.
    expect(settleFirstArgument(argv("create", "simlate", "--link", "a"), COMMANDS)).toEqual(argv("simlate", "--link", "a"));
    expect(settleFirstArgument(argv("create", "chain"), COMMANDS)).toEqual(argv("./chain"));
    expect(settleFirstArgument(argv("create", "create"), COMMANDS)).toEqual(argv("./create"));
    expect(settleFirstArgument(argv("create", "help"), COMMANDS)).toEqual(argv("./help"));
  });

  it("takes help as a command, never as a folder", () => {
    expect(settleFirstArgument(argv("help"), COMMANDS)).toEqual(argv("--help"));
    expect(settleFirstArgument(argv("help", "verify"), COMMANDS)).toEqual(argv("verify", "--help"));
    expect(settleFirstArgument(argv("help", "nothing"), COMMANDS)).toEqual(argv("--help"));
  });
});

describe("command options", () => {
  it("are parsed with the command's schema, keeping the types commander gave them", () => {
    expect(options.create.parse({ dir: "p", dryRun: true, install: false, link: ["a", "b"], debug: true })).toEqual({ dir: "p", dryRun: true, install: false, link: ["a", "b"] });
    expect(options.renameLink.parse({ from: "a", to: "b" })).toEqual({ from: "a", to: "b" });
    expect(options.create.parse({ dir: undefined })).toEqual({ dir: undefined });
  });

  it("refuse a value of another type: a declaration and its schema disagree", () => {
    expect(() => options.chain.parse({ cwd: true })).toThrow();
    expect(() => options.addLink.parse({ name: "a", qualified: "x" })).toThrow();
    expect(() => options.simulate.parse({ json: "yes" })).toThrow();
    expect(() => options.removeLink.parse({})).toThrow();
    expect(() => options.verify.parse({ json: true })).toThrow();
  });

  it("reach each command typed: cli.ts casts none of them", () => {
    const cli = readFileSync(path.resolve(import.meta.dirname, "../../src/cli.ts"), "utf8");
    expect(cli).not.toMatch(/\bas (never|unknown as|any)\b/);
  });
});

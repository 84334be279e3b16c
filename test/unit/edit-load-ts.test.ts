// ts-morph is an optional peer of the CLI: an edit command without it says how to install it.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { loadTs } from "../../src/edit/parse.js";
import { UserError } from "../../src/errors.js";

it("refuses in one line, naming the install command, where ts-morph cannot be resolved; loads it where it can", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "no-ts-morph-"));
  try {
    const missing = loadTs(createRequire(path.join(dir, "cli.js")));
    await expect(missing).rejects.toThrow(UserError);
    await expect(missing).rejects.toThrow(/^this command needs ts-morph, which is not installed here: run `npm install --save-dev ts-morph@"\^28\.0\.0"` in the project/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ts = await loadTs();
  expect(typeof ts.createSourceFile).toBe("function");
});

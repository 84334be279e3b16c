// A suite that samples its cases outside the deep run (it imports helpers/deep.ts) must be in the
// deep project, or its whole run would never happen; and the deep project runs nothing else but
// the suites `npm test` leaves out.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import config from "../../vitest.config.ts";

const REPO = path.resolve(import.meta.dirname, "../..");

it("the deep project runs exactly the suites that sample their cases and those npm test leaves out", () => {
  const projects = (config.test?.projects ?? []) as Array<{ test: { name: string; include: string[]; exclude?: string[] } }>;
  const deep = projects.find((p) => p.test.name === "deep")!.test.include;
  const left = projects.find((p) => p.test.name === "e2e")!.test.exclude ?? [];
  const sampling = readdirSync(path.join(REPO, "test/e2e"))
    .filter((name) => name.endsWith(".test.ts") && readFileSync(path.join(REPO, "test/e2e", name), "utf8").includes('from "../helpers/deep.js"'))
    .map((name) => `test/e2e/${name}`);
  expect(sampling.length).toBeGreaterThan(0);
  expect([...deep].sort()).toEqual([...sampling, ...left].sort());
});

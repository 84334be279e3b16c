// spec → change set. Pure apart from reading templates: no prompts, no writes.
import { UserError } from "../errors.js";
import { ChangeSet } from "../fs/changeset.js";
import { chainJsonFor } from "./chain-json.js";
import { chainBlock } from "./readme-chain.js";
import { graphOf, templateRoutes } from "./chain-graph.js";
import { sessionsBlock } from "./readme-sessions.js";
import { wranglerSessions } from "./wrangler-sessions.js";
import { RUNTIME_INFO, sessionsOf, type LinkSpec, type ProjectSpec } from "../spec/spec.js";
import { projectFeatures, type Feature } from "./features.js";
import { hashOf, ownedFiles } from "./owned.js";
import { renderFolder, render, renderPartial } from "./templates.js";
import { CLI_VERSION, TS_MORPH } from "../version.js";
import { NODE_ENGINES, VERSIONS } from "./versions.js";

// create writes chain.json as the edit commands do (no ts-morph behind it: chain-json.ts is plain).
export { chainJsonFor as renderChainJson };

/** The link's handler and its contract test, from the templates create and add-link share. */
export function renderLinkFiles(link: LinkSpec): { source: { path: string; content: string }; test: { path: string; content: string } } {
  return {
    source: { path: `src/links/${link.name}.ts`, content: render("link/link.ts.ejs", { link }) },
    test: { path: `test/${link.name}.test.ts`, content: render("link/link.test.ts.ejs", { link }) },
  };
}

export function renderRegistry(names: readonly string[]): string {
  return render("base/src/links/index.ts.ejs", { links: names.map((name) => ({ name })) });
}

function merge(...records: Array<Record<string, string> | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of records) Object.assign(out, r);
  // Code-unit order, not localeCompare: its first call loads ICU collation data (~10% of a scaffold).
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** What package.json's `taskchain.owned` records: each owned file's hash as written. */
export function ownedRecord(owned: ReadonlyMap<string, string>): Record<string, string> {
  return Object.fromEntries([...owned].map(([file, content]) => [file, hashOf(content)]).sort(([a], [b]) => (a! < b! ? -1 : 1)));
}

/** The dependencies a project with these features needs, as create writes them. */
export function projectDependencies(features: readonly Feature[]): { dependencies: Record<string, string>; devDependencies: Record<string, string> } {
  return {
    dependencies: merge({ zod: VERSIONS.zod }, ...features.map((f) => f.dependencies)),
    devDependencies: merge(
      {
        // Exactly the CLI that wrote the project: a newer one may write code this project does not have.
        "create-taskchain": CLI_VERSION,
        // What the CLI's edit commands (add-link, chain, …) parse with: an optional peer of the CLI.
        "ts-morph": TS_MORPH,
        typescript: VERSIONS.typescript,
        vitest: VERSIONS.vitest,
        "@types/node": VERSIONS["@types/node"],
      },
      ...features.map((f) => f.devDependencies),
    ),
  };
}

export function renderPackageJson(spec: ProjectSpec, features: Feature[], owned: Record<string, string>): string {
  const pkg = {
    name: spec.packageName,
    version: "0.1.0",
    private: true,
    type: "module",
    engines: { node: NODE_ENGINES },
    scripts: {
      // Plays Agent4 against `npm run dev`: the CLI reads PORT, HOST and the token as the server
      // does (the environment, then .env) and knows the runtime's dev port.
      simulate: "create-taskchain simulate",
      ...Object.assign({}, ...features.map((f) => f.scripts)),
      test: "vitest run",
      typecheck: "tsc --noEmit",
    },
    ...projectDependencies(features),
    ...(allowScripts(features) ?? {}),
    taskchain: {
      runtime: spec.runtime,
      sessions: sessionsOf(spec),
      baseUrl: spec.baseUrl,
      trigger: spec.trigger,
      ...(spec.example ? { example: spec.example } : {}),
      // The CLI that wrote the owned files, and their hashes as written (see `upgrade`).
      version: CLI_VERSION,
      owned,
    },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/** npm's allowScripts: each dependency with an install script, allowed or refused on purpose. */
function allowScripts(features: Feature[]): { allowScripts: Record<string, boolean> } | undefined {
  const entries = features.flatMap((f) => Object.entries(f.allowScripts ?? {}));
  return entries.length ? { allowScripts: Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) } : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * package.json for `create --force` over one that exists: the user's fields, scripts and
 * dependencies stay. Where both set one, the user's name, version and private win, the project's
 * own everything else (a script, a dependency's version, "type", "taskchain"). An unreadable file
 * is replaced.
 */
export function mergePackageJson(existing: string, generated: string): string {
  let theirs: unknown;
  try {
    theirs = JSON.parse(existing.charCodeAt(0) === 0xfeff ? existing.slice(1) : existing);
  } catch {
    return generated;
  }
  if (!isObject(theirs)) return generated;
  const ours = JSON.parse(generated) as Record<string, unknown>;
  const out: Record<string, unknown> = { ...theirs };
  for (const [key, value] of Object.entries(ours)) {
    const before = theirs[key];
    if (key === "name" || key === "version" || key === "private") out[key] = before ?? value;
    else if (key === "dependencies" || key === "devDependencies") out[key] = merge(isObject(before) ? (before as Record<string, string>) : undefined, value as Record<string, string>);
    else if ((key === "scripts" || key === "engines") && isObject(before)) out[key] = { ...before, ...(value as Record<string, unknown>) };
    else out[key] = value;
  }
  // A package the project lists in one of the two must not stay in the other as well.
  for (const [list, other] of [["dependencies", "devDependencies"], ["devDependencies", "dependencies"]] as const) {
    const kept = out[other];
    if (!isObject(kept)) continue;
    for (const dep of Object.keys(ours[list] as Record<string, string>)) if (!(dep in (ours[other] as Record<string, string>))) delete kept[dep];
  }
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** .gitignore over one that exists: the user's lines stay, the project's missing ones are added. */
export function mergeGitignore(existing: string, generated: string): string {
  const have = new Set(existing.split(/\r?\n/).map((l) => l.trim()));
  const lines = generated.split("\n").filter((l) => l.trim() && !l.trim().startsWith("#"));
  if (lines.every((l) => have.has(l.trim()))) return existing;
  // A negation (`!.env.example`) only counts after the pattern it excepts, so it is always repeated.
  const missing = lines.filter((l) => !have.has(l.trim()) || l.startsWith("!"));
  const body = existing === "" || existing.endsWith("\n") ? existing : `${existing}\n`;
  return `${body}${body ? "\n" : ""}# create-taskchain\n${missing.join("\n")}\n`;
}

/** The scenario the README runs with `simulate --script`. */
const SCENARIO = "scenarios/call.json";
const EXAMPLE_SCENARIO = "order-shipped.json";

/** A first call for `simulate --script`: the generated first link declines the caller, who is let go. */
function renderScenario(first: string): string {
  const scenario = {
    description: `${first} ends disqualified; the caller hears a goodbye and the call ends. Run it against \`npm run dev\`: npm run simulate -- --script ${SCENARIO}`,
    steps: { [first]: "disqualified" },
    otherwise: "qualified",
    expect: { links: [first], actions: ["end_call"], ended: "end_call" },
  };
  return `${JSON.stringify(scenario, null, 2)}\n`;
}

function renderExampleScenario(): string {
  return render(`examples/shipstation/scenarios/${EXAMPLE_SCENARIO}`, {});
}

/** Every file of a new project, in memory. `root` is where it will be written. */
export function generateProject(spec: ProjectSpec, root: string): ChangeSet {
  const features = projectFeatures(spec.runtime, sessionsOf(spec), spec.example);
  const names = [...spec.links.map((l) => l.name), ...features.flatMap((f) => f.links ?? [])];
  const scenario = spec.links[0] && renderScenario(spec.links[0].name);
  const data = {
    packageName: spec.packageName,
    runtime: spec.runtime,
    runtimeHint: RUNTIME_INFO[spec.runtime].hint,
    devPort: spec.runtime === "cloudflare" ? 8787 : 3000, // wrangler dev's port
    trigger: spec.trigger,
    baseUrl: spec.baseUrl,
    example: spec.example,
    links: names.map((name) => ({ name })),
    specLinks: spec.links,
    // The graph as the templates route calls (create has no parser; a unit test reads it back from the code).
    chainBlock: chainBlock(chainJsonFor(names, spec.baseUrl), graphOf(names, [...spec.links.flatMap((l) => templateRoutes(l.name)), ...features.flatMap((f) => f.routes ?? [])])),
    sessionsBlock: sessionsBlock(spec.runtime, sessionsOf(spec)),
    scenarioFile: scenario ? SCENARIO : `scenarios/${EXAMPLE_SCENARIO}`,
    scenario: scenario ?? renderExampleScenario(),
    // A name the README's add-link example can use in any chain.
    newLink: ["follow_up", "wrap_up", "call_back"].find((n) => !names.includes(n)) ?? "next_step",
  };
  const partialData = { ...data, partials: {} };
  const partials = {
    runtime: renderPartial(`runtimes/${spec.runtime}/_partial.README.md.ejs`, partialData),
    env: features.map((f) => renderPartial(`${f.folder}/_partial.env.ejs`, partialData)).join(""),
    wrangler: wranglerSessions(sessionsOf(spec)),
    example: spec.example ? renderPartial(`examples/${spec.example}/_partial.README.md.ejs`, partialData) : "",
  };

  const files = new Map<string, string>();
  for (const [p, content] of renderFolder("base", { ...data, partials })) files.set(p, content);
  // The registry is rendered from the full name list; the runtime and examples layer over base.
  for (const feature of features) for (const [p, content] of renderFolder(feature.folder, { ...data, partials })) files.set(p, content);
  for (const link of spec.links) {
    const { source, test } = renderLinkFiles(link);
    // A template's own file (a runtime's or an example's test) must never be replaced by a link's.
    for (const file of [source.path, test.path]) {
      if (files.has(file)) throw new UserError(`link name "${link.name}" would replace the project's own ${file}; pick another name`);
    }
    files.set(source.path, source.content);
    files.set(test.path, test.content);
  }
  if (scenario) files.set(SCENARIO, scenario);
  files.set("src/links/index.ts", renderRegistry(names));
  files.set("chain.json", chainJsonFor(names, spec.baseUrl));
  const owned = ownedFiles(features);
  for (const [file, content] of owned) files.set(file, content);
  files.set("package.json", renderPackageJson(spec, features, ownedRecord(owned)));
  const types = features.find((f) => f.types)?.types;
  if (types) {
    const tsconfig = JSON.parse(files.get("tsconfig.json")!) as { compilerOptions: { types: string[] } };
    tsconfig.compilerOptions.types = types;
    files.set("tsconfig.json", `${JSON.stringify(tsconfig, null, 2)}\n`);
  }

  const set = new ChangeSet(root);
  for (const [p, content] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) set.create(p, content);
  return set;
}

// `create-taskchain sessions <store>`: where a project keeps its calls' sessions. Each store is a
// template folder (src/sessions.ts, which the entry file imports, plus the store's own files), its
// dependencies, a README block, the lines it adds to .env.example and, on Workers, its bindings in
// wrangler.jsonc; switching swaps those through one change set and leaves the entry files alone.
import { UserError } from "../errors.js";
import { ChangeSet } from "../fs/changeset.js";
import { STORE_FEATURES } from "../generate/features.js";
import { hashOf, withHeader } from "../generate/owned.js";
import { renderFolder, renderPartial } from "../generate/templates.js";
import { defaultStore, isRuntime, isStore, RUNTIMES, SESSION_STORES, storeProblem, type Runtime, type SessionStoreName } from "../spec/spec.js";
import { readText, type TaskchainProject } from "./project.js";
import { README } from "../generate/readme-chain.js";
import { replaceBlock, sessionsBlock } from "../generate/readme-sessions.js";
import { swapWranglerSessions } from "../generate/wrangler-sessions.js";

const ENV_EXAMPLE = ".env.example";
const PACKAGE_JSON = "package.json";
const WRANGLER = "wrangler.jsonc";

/** What a store adds to .env.example (its settings), or "". */
function envLines(runtime: Runtime, store: SessionStoreName): string {
  return renderPartial(`${STORE_FEATURES[store].folder}/_partial.env.ejs`, { runtime });
}

/**
 * The store a project keeps its sessions in, for `upgrade`: package.json's "taskchain".sessions, else
 * (written before the choice existed) the store whose file it has: Redis in every node-based
 * project then, KV in every Workers project; else the runtime's default.
 */
export function storeOf(project: TaskchainProject, runtime: Runtime): SessionStoreName {
  const { sessions } = project.settings;
  if (isStore(sessions, runtime)) return sessions;
  const has = (file: string) => readText(project.root, file) !== undefined;
  if (runtime === "cloudflare" && (has("src/kv-store.ts") || has("test/kv-sessions.test.ts"))) return "kv";
  if (runtime !== "cloudflare" && has("src/taskchain/redis-store.ts")) return "redis";
  return defaultStore(runtime);
}

/** The project's runtime and store, from package.json "taskchain"; one line when it cannot tell. */
export function projectStores(project: TaskchainProject): { runtime: Runtime; current: SessionStoreName } {
  const { runtime, sessions } = project.settings;
  if (!isRuntime(runtime)) {
    throw new UserError(`cannot tell this project's runtime: package.json "taskchain".runtime is ${runtime === undefined ? "missing" : JSON.stringify(runtime)} (expected one of ${RUNTIMES.join(", ")})`);
  }
  if (sessions === undefined && runtime === "cloudflare") return { runtime, current: "kv" };
  if (!isStore(sessions, runtime)) {
    throw new UserError(
      `cannot tell where this project keeps its sessions: package.json "taskchain".sessions is ${sessions === undefined ? "missing" : JSON.stringify(sessions)} (a project written before it was recorded: run \`create-taskchain upgrade\` first)`,
    );
  }
  return { runtime, current: sessions };
}

export interface SessionsPlan {
  runtime: Runtime;
  from: SessionStoreName;
  to: SessionStoreName;
  set: ChangeSet;
}

/**
 * The change set that moves a project's sessions to `to`: the old store's files go (a file the
 * user changed is refused unless `force`), the new store's are written, package.json gets the new
 * dependencies and "taskchain".sessions, the README block and .env.example follow.
 */
export function planSessions(project: TaskchainProject, to: string, force: boolean): SessionsPlan {
  if (!isStore(to)) throw new UserError(`unknown session store "${to}": expected one of ${SESSION_STORES.join(", ")}`);
  const { runtime, current: from } = projectStores(project);
  const problem = storeProblem(runtime, to);
  if (problem) throw new UserError(problem);
  const set = new ChangeSet(project.root);
  if (from === to) return { runtime, from, to, set };
  swapFiles(project, set, from, to, force);
  updatePackageJson(project, set, from, to);
  updateText(project, set, README, (text) => replaceBlock(text, sessionsBlock(runtime, to)));
  updateText(project, set, ENV_EXAMPLE, (text) => swapEnvLines(text, envLines(runtime, from), envLines(runtime, to)));
  if (runtime === "cloudflare") updateText(project, set, WRANGLER, (text) => swapBindings(text, from, to, force));
  return { runtime, from, to, set };
}

/** Every file a store writes, its includes' too, as create writes them (owned TypeScript with its header): path → content. */
function storeFiles(store: SessionStoreName): Map<string, string> {
  const feature = STORE_FEATURES[store];
  const files = new Map<string, string>();
  for (const f of [...(feature.includes ?? []), feature]) for (const [file, content] of renderFolder(f.folder, {}, (rel) => rel.endsWith(".ts"))) files.set(file, withHeader(content));
  return files;
}

/** The file the entry imports its store from; a project without it imports the store itself. */
const SESSIONS_FILE = "src/sessions.ts";

function swapFiles(project: TaskchainProject, set: ChangeSet, from: SessionStoreName, to: SessionStoreName, force: boolean): void {
  const old = storeFiles(from);
  const next = storeFiles(to);
  if (readText(project.root, SESSIONS_FILE) === undefined) {
    throw new UserError(`${SESSIONS_FILE} is missing, so the entry file would still import the ${from} store: run \`create-taskchain upgrade\` first (it writes the file and the entry that imports it), or put it back`);
  }
  const record = ownedRecord(project);
  for (const [file, content] of old) {
    const text = readText(project.root, file);
    if (text === undefined) continue;
    // Unedited: as this CLI writes it, or as package.json records it was written (an older CLI).
    if (text !== content && record[file] !== hashOf(text) && !force) {
      throw new UserError(`${file} is not as create-taskchain wrote it for ${from} sessions: move your changes out of it, or pass --force to replace it`);
    }
    if (!next.has(file)) set.delete(file, text);
  }
  for (const [file, content] of next) {
    const text = readText(project.root, file);
    if (text === undefined) set.create(file, content);
    else set.update(file, text, content);
  }
}

/** package.json's record of the owned files' hashes as written (see `upgrade`). */
function ownedRecord(project: TaskchainProject): Record<string, string> {
  const owned = project.settings.owned;
  return typeof owned === "object" && owned !== null ? (owned as Record<string, string>) : {};
}

function updatePackageJson(project: TaskchainProject, set: ChangeSet, from: SessionStoreName, to: SessionStoreName): void {
  const text = readText(project.root, PACKAGE_JSON) ?? "";
  const pkg = JSON.parse(text) as { dependencies?: Record<string, string>; taskchain: Record<string, unknown> };
  // The record follows the files: the old store's go, the new store's are recorded as written.
  if (pkg.taskchain.owned) {
    const owned = { ...(pkg.taskchain.owned as Record<string, string>) };
    for (const file of storeFiles(from).keys()) delete owned[file];
    for (const [file, content] of storeFiles(to)) owned[file] = hashOf(content);
    pkg.taskchain.owned = Object.fromEntries(Object.entries(owned).sort(([a], [b]) => (a < b ? -1 : 1)));
  }
  const deps = { ...pkg.dependencies };
  for (const name of Object.keys(STORE_FEATURES[from].dependencies ?? {})) delete deps[name];
  Object.assign(deps, STORE_FEATURES[to].dependencies);
  // Code-unit order, as create writes them.
  pkg.dependencies = Object.fromEntries(Object.entries(deps).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  pkg.taskchain = { ...pkg.taskchain, sessions: to };
  set.update(PACKAGE_JSON, text, `${JSON.stringify(pkg, null, 2)}\n`);
}

/** Applies `edit` to a text file the project has; a missing file, or one `edit` cannot place its change in, is left alone. */
function updateText(project: TaskchainProject, set: ChangeSet, file: string, edit: (text: string) => string | undefined): void {
  const text = readText(project.root, file);
  const next = text === undefined ? undefined : edit(text);
  if (text !== undefined && next !== undefined) set.update(file, text, next);
}

/** wrangler.jsonc with the new store's bindings; a file whose old ones were changed is refused unless `force` (then left alone). */
function swapBindings(text: string, from: SessionStoreName, to: SessionStoreName, force: boolean): string | undefined {
  const swapped = swapWranglerSessions(text, from, to);
  if (swapped === undefined && !force) {
    throw new UserError(`${WRANGLER} no longer binds SESSIONS as create-taskchain wrote it for ${from} sessions: pass --force to move the code and then bind SESSIONS for ${to} in ${WRANGLER} yourself`);
  }
  return swapped;
}

/**
 * .env.example without the old store's lines (when they are there as written) and with the new
 * store's, placed before the blank line that ends the file as create places them.
 */
function swapEnvLines(text: string, old: string, next: string): string {
  const without = old && text.includes(old) ? text.replace(old, "") : text;
  if (!next || without.includes(next)) return without;
  if (without.endsWith("\n\n")) return `${without.slice(0, -1)}${next}\n`;
  return `${without}${without.endsWith("\n") ? "" : "\n"}${next}`;
}

// `upgrade`: the owned files (src/generate/owned.ts) brought to this CLI's templates, each one
// only while the user has not edited it. An edited file is left exactly as it is and its diff
// against the current version shown, to take with --force. Links and the user's files are never
// in the plan: only owned paths are.
import { CLI_VERSION, TS_MORPH } from "../version.js";
import { UserError } from "../errors.js";
import { ChangeSet } from "../fs/changeset.js";
import { projectFeatures } from "../generate/features.js";
import { hashOf, knownVersions, ownedFiles, withoutHeader } from "../generate/owned.js";
import { ownedRecord, projectDependencies } from "../generate/project.js";
import { EXAMPLES, RUNTIMES, type Example, type Runtime } from "../spec/spec.js";
import { readText, type TaskchainProject } from "./project.js";
import { storeOf } from "./sessions.js";
import { isOneOf } from "../one-of.js";

export interface KeptFile {
  file: string;
  /** What the current version would be; undefined when this CLI no longer writes the file. */
  current: string | undefined;
  /** The file as it is on disk; undefined when the user deleted it. */
  yours: string | undefined;
}

export interface UpgradePlan {
  set: ChangeSet;
  /** Owned files the user changed (or deleted): left as they are. */
  kept: KeptFile[];
  /** The CLI version that wrote the owned files, when the project records it. */
  from: string | undefined;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (isOneOf(allowed, value)) return value;
  throw new UserError(`package.json "taskchain.${what}" is ${JSON.stringify(value)}, expected one of ${allowed.join(", ")}: upgrade cannot tell which files the project should have`);
}

/** package.json's record of the owned files as written, or undefined for a project from before records. */
function recorded(settings: Record<string, unknown>): Record<string, string> | undefined {
  const owned = settings.owned;
  if (owned === undefined) return undefined;
  if (typeof owned !== "object" || owned === null || Array.isArray(owned) || Object.values(owned).some((hash) => typeof hash !== "string")) {
    throw new UserError('package.json "taskchain.owned" is not a map of file → hash; restore it from version control, or delete it to upgrade by known versions only');
  }
  return owned as Record<string, string>;
}

export function planUpgrade(project: TaskchainProject, force: readonly string[] = []): UpgradePlan {
  const { root, settings } = project;
  const runtime = oneOf<Runtime>(settings.runtime, RUNTIMES, "runtime");
  const example = settings.example === undefined ? undefined : oneOf<Example>(settings.example, EXAMPLES, "example");
  const sessions = storeOf(project, runtime);
  const features = projectFeatures(runtime, sessions, example);
  const next = ownedFiles(features);
  const record = recorded(settings);
  const known = record ? undefined : knownVersions();
  // Unedited: as the record says it was written, or (no record) equal to a version a CLI wrote.
  const unedited = (file: string, content: string) => (record ? record[file] === hashOf(content) : (known?.[file]?.includes(hashOf(withoutHeader(content))) ?? false));

  const owned = new Set([...next.keys(), ...Object.keys(record ?? known ?? {})]);
  for (const file of force) {
    if (!owned.has(file)) throw new UserError(`--force ${file}: not a file create-taskchain owns (${[...next.keys()].slice(0, 3).join(", ")}, …); upgrade never changes it`);
  }
  const set = new ChangeSet(root);
  const kept: KeptFile[] = [];
  const written = new Map<string, string>();
  for (const [file, current] of next) {
    const yours = readText(root, file);
    if (yours === current) written.set(file, current);
    else if (yours === undefined ? !record?.[file] || force.includes(file) : force.includes(file) || unedited(file, yours)) {
      if (yours === undefined) set.create(file, current);
      else set.update(file, yours, current);
      written.set(file, current);
    } else kept.push({ file, current, yours });
  }
  // Files an earlier version owned and this one does not write: removed while unedited.
  for (const file of [...owned].filter((f) => !next.has(f)).sort()) {
    const yours = readText(root, file);
    if (yours === undefined) continue;
    if (force.includes(file) || unedited(file, yours)) set.delete(file, yours);
    else if (record) kept.push({ file, current: undefined, yours });
  }
  updatePackageJson(set, root, features, { ...keptRecord(record, kept), ...ownedRecord(written) }, sessions);
  return { set, kept, from: typeof settings.version === "string" ? settings.version : undefined };
}

/** The recorded hashes of the files left as the user has them: they stay "edited" next time. */
function keptRecord(record: Record<string, string> | undefined, kept: readonly KeptFile[]): Record<string, string> {
  return Object.fromEntries(kept.flatMap(({ file, current }) => (current !== undefined && record?.[file] ? [[file, record[file]]] : [])));
}

/**
 * The CLI pin and ts-morph at this version, any dependency the new owned files need and the project
 * lacks, and the new record. The user's own versions of everything else stay.
 */
function updatePackageJson(set: ChangeSet, root: string, features: Parameters<typeof projectDependencies>[0], owned: Record<string, string>, sessions: string): void {
  const before = readText(root, "package.json") ?? "";
  const pkg = JSON.parse(before) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string>; taskchain: Record<string, unknown> };
  const wanted = projectDependencies(features);
  const listed = (name: string) => Object.hasOwn(pkg.dependencies ?? {}, name) || Object.hasOwn(pkg.devDependencies ?? {}, name);
  for (const list of ["dependencies", "devDependencies"] as const) {
    const have = { ...pkg[list] };
    for (const [name, version] of Object.entries(wanted[list])) if (!listed(name)) have[name] = version;
    if (list === "devDependencies") Object.assign(have, { "create-taskchain": CLI_VERSION, "ts-morph": TS_MORPH });
    pkg[list] = Object.fromEntries(Object.entries(have).sort(([a], [b]) => (a < b ? -1 : 1)));
  }
  const sorted = Object.fromEntries(Object.entries(owned).sort(([a], [b]) => (a < b ? -1 : 1)));
  pkg.taskchain = { ...pkg.taskchain, sessions, version: CLI_VERSION, owned: sorted };
  set.update("package.json", before, `${JSON.stringify(pkg, null, 2)}\n`);
}

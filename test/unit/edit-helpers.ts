// Shared by the edit unit tests: generated projects in temp dirs, fixtures, snapshots and diffs.
import fs, { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import fsp from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { diffChars, diffLines } from "diff";
import { expect, vi } from "vitest";
import { UserError } from "../../src/errors.js";
import { commitNewProject } from "../../src/fs/changeset.js";
import { generateProject } from "../../src/generate/project.js";
import { defaultParameters, defaultPrompt, ProjectSpecSchema } from "../../src/spec/spec.js";

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/edit");

export function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), "utf8");
}

export async function makeProject(names: string[] = ["pin_vetting", "schedule"], baseUrl = "https://hooks.example.com"): Promise<string> {
  const root = path.join(mkdtempSync(path.join(os.tmpdir(), "taskchain-edit-")), "p");
  const spec = ProjectSpecSchema.parse({
    packageName: "p",
    runtime: "node",
    baseUrl,
    trigger: "help",
    links: names.map((name) => ({ name, prompt: defaultPrompt(name), parameters: defaultParameters() })),
  });
  await commitNewProject(generateProject(spec, root));
  return root;
}

export function read(root: string, rel: string): string {
  return readFileSync(path.join(root, rel), "utf8");
}

export function write(root: string, rel: string, text: string): void {
  writeFileSync(path.join(root, rel), text);
}

/** Every file of the project: path → content. */
export function snapshot(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (rel: string) => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) visit(child);
      else out.set(child, readFileSync(path.join(root, child), "utf8"));
    }
  };
  visit("");
  return out;
}

export function lineChanges(before: string, after: string): { added: string[]; removed: string[] } {
  const added: string[] = [];
  const removed: string[] = [];
  for (const part of diffLines(before, after)) {
    const lines = part.value.replace(/\r?\n$/, "").split(/\r?\n/);
    if (part.added) added.push(...lines);
    if (part.removed) removed.push(...lines);
  }
  return { added, removed };
}

/** The change is insertions only, character by character; returns the inserted chunks in order. */
export function insertedChunks(before: string, after: string): string[] {
  const parts = diffChars(before, after);
  expect(parts.filter((p) => p.removed).map((p) => p.value), "characters removed").toEqual([]);
  return parts.filter((p) => p.added).map((p) => p.value);
}

export interface Ran {
  code: number | undefined;
  out: string;
  err: string;
  error?: UserError;
}

/** Runs a command module in-process with its output captured; a UserError is returned, not thrown. */
export async function runCommand(command: "add-link" | "chain" | "remove-link" | "rename-link" | "upgrade", options: Record<string, unknown>): Promise<Ran> {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  try {
    const mod = (await import(`../../src/commands/${command}.ts`)) as { run(options: unknown): Promise<number> };
    const code = await mod.run(options);
    return { code, out, err };
  } catch (error) {
    if (error instanceof UserError) return { code: undefined, out, err, error };
    throw error;
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** Asserts the command failed with a one-line UserError matching `message` and changed nothing. */
export async function expectRefused(root: string, command: Parameters<typeof runCommand>[0], options: Record<string, unknown>, message: RegExp): Promise<void> {
  const before = snapshot(root);
  const ran = await runCommand(command, { cwd: root, ...options });
  expect(ran.error?.message, `expected a UserError, got code ${ran.code}: ${ran.out}${ran.err}`).toMatch(message);
  expect(ran.error!.message).not.toContain("\n");
  expect(snapshot(root)).toEqual(before);
}

/**
 * The files under `root` that `work` reads or lists (project-relative, in order, deduplicated).
 * Spies on node:fs itself; syncBuiltinESMExports() makes the modules' named imports see the spies.
 */
export async function filesReadDuring(root: string, work: () => Promise<unknown>): Promise<string[]> {
  const seen = new Set<string>();
  const note = (p: unknown) => {
    const file = String(p);
    if (file === root || file.startsWith(`${root}/`)) seen.add(path.relative(root, file) || ".");
  };
  const readFile = fs.readFileSync;
  const readdir = fs.readdirSync;
  const readFileAsync = fsp.readFile;
  const spies = [
    vi.spyOn(fs, "readFileSync").mockImplementation(((p: fs.PathOrFileDescriptor, o?: never) => (note(p), readFile(p, o))) as typeof fs.readFileSync),
    vi.spyOn(fs, "readdirSync").mockImplementation(((p: fs.PathLike, o?: never) => (note(p), readdir(p, o))) as typeof fs.readdirSync),
    vi.spyOn(fsp, "readFile").mockImplementation(((p: fs.PathLike, o?: never) => (note(p), readFileAsync(p, o))) as typeof fsp.readFile),
  ];
  syncBuiltinESMExports();
  try {
    await work();
  } finally {
    for (const spy of spies) spy.mockRestore();
    syncBuiltinESMExports();
  }
  return [...seen];
}

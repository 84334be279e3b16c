// The files the CLI owns in a project: the runtime, the server adapter and the contract suite, that
// is every TypeScript file its templates copy as they are (rendered ones hold the user's choices).
// `upgrade` keeps them current for as long as the user has not edited them; package.json records a
// hash of each as written, which is how an edit is told apart from an older version.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Feature } from "./features.js";
import { renderFolder } from "./templates.js";
import { templatesDir } from "./paths.js";

/** The first line of every owned file. */
export const OWNED_HEADER = "// create-taskchain keeps this file current (npx create-taskchain upgrade) until you edit it; then it is yours.";

/** Owned files carry the header; a project written before there was one has it nowhere. */
export function withHeader(content: string): string {
  return `${OWNED_HEADER}\n${content}`;
}

export function withoutHeader(content: string): string {
  return content.startsWith(`${OWNED_HEADER}\n`) ? content.slice(OWNED_HEADER.length + 1) : content;
}

/** How package.json records a file's content: the first 16 hex digits of its SHA-256. */
export function hashOf(content: string): string {
  return createHash("sha256").update(content).digest("hex").slice(0, 16);
}

/** Copied (not rendered) TypeScript outside links: the CLI's code, not the user's. */
export function isOwnedTemplate(template: string): boolean {
  return template.endsWith(".ts") && !template.startsWith("examples/") && !template.startsWith("link/");
}

/**
 * The owned files a project with these features gets, with their header: output path → content.
 * Features later in the list win, as when the project is written.
 */
export function ownedFiles(features: readonly Feature[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const folder of ["base", ...features.map((f) => f.folder)]) {
    if (!isOwnedTemplate(`${folder}/x.ts`)) continue;
    for (const [file, content] of renderFolder(folder, {}, (rel) => rel.endsWith(".ts"))) out.set(file, withHeader(content));
  }
  return out;
}

/**
 * Every version of every owned file an earlier create-taskchain wrote, as hashes of the content
 * without the header, by output path. For a project written before package.json recorded hashes:
 * a file equal to one of these was never edited. `npm run owned-history` rebuilds the list from
 * this repository's history; a unit test fails when a template changed and it was not rebuilt.
 */
export function knownVersions(): Record<string, string[]> {
  return JSON.parse(readFileSync(templatesDir("owned-history.json"), "utf8")) as Record<string, string[]>;
}

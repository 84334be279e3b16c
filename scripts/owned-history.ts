// Rebuilds templates/owned-history.json: the hash of every version of every owned file (see
// src/generate/owned.ts) in this repository's history and working tree, by output path. `upgrade`
// takes a file equal to one of them, in a project that recorded no hashes, as never edited.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { hashOf, isOwnedTemplate } from "../src/generate/owned.js";
import { templatesDir } from "../src/generate/paths.js";
import { outputName } from "../src/generate/templates.js";

const git = (...args: string[]) => execFileSync("git", args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });

/** templates/<feature folder>/<rel> → the path it is written to in a project. */
function outputPath(template: string): string {
  return outputName(template.replace(/^(runtimes|stores|examples)\/[^/]+\/|^[^/]+\//, ""));
}

const known = new Map<string, Set<string>>();
const add = (template: string, content: string) => {
  const file = outputPath(template);
  if (!known.has(file)) known.set(file, new Set());
  known.get(file)!.add(hashOf(content));
};

// Every committed version: the blobs of owned templates in each commit that touched templates/.
const blobs = new Map<string, string>();
for (const commit of git("rev-list", "HEAD", "--", "templates").split("\n").filter(Boolean)) {
  for (const line of git("ls-tree", "-r", "--format=%(objectname) %(path)", commit, "--", "templates").split("\n").filter(Boolean)) {
    const [blob, file] = [line.slice(0, line.indexOf(" ")), line.slice(line.indexOf(" ") + 1)];
    const template = file.slice("templates/".length);
    if (isOwnedTemplate(template)) blobs.set(`${blob} ${template}`, blob);
  }
}
for (const [entry, blob] of blobs) add(entry.slice(blob.length + 1), git("cat-file", "blob", blob));
// And the working tree, so the list is right before the change is committed.
for (const file of git("ls-files", "--cached", "--others", "--exclude-standard", "templates").split("\n").filter(Boolean)) {
  const template = file.slice("templates/".length);
  if (isOwnedTemplate(template)) add(template, readFileSync(file, "utf8"));
}

const sorted = Object.fromEntries([...known].sort(([a], [b]) => (a < b ? -1 : 1)).map(([file, hashes]) => [file, [...hashes].sort()]));
writeFileSync(templatesDir("owned-history.json"), `${JSON.stringify(sorted, null, 2)}\n`);
console.log(`templates/owned-history.json: ${Object.keys(sorted).length} files, ${Object.values(sorted).flat().length} versions`);

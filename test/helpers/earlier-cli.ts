// The CLI as an earlier commit of this repository built it, packed and unpacked as npm would
// install it: what a project written before a change was written with. Built once (.cache).
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { cached, REPO, run } from "./project.js";

/** main before projects recorded their owned files in package.json. */
export const EARLIER_COMMIT = "cde10b51392ecf4051c6cf4521ab93000cfaacbb";

export function earlierCli(commit = EARLIER_COMMIT): string {
  const dir = cached(`earlier-cli/${commit.slice(0, 12)}`, (into) => {
    const source = path.join(into, "source");
    mkdirSync(source);
    const unpacked = run("sh", ["-c", `git -C "${REPO}" archive ${commit} | tar -x -C "${source}"`], into);
    if (unpacked.code !== 0) throw new Error(`git archive ${commit} failed (a clone with history is needed):\n${unpacked.stderr}`);
    // Its build tools are this checkout's (the same tsup and bundled dependencies' major versions).
    symlinkSync(path.join(REPO, "node_modules"), path.join(source, "node_modules"), "dir");
    const packed = run("npm", ["pack", "--silent", "--pack-destination", into], source);
    if (packed.code !== 0) throw new Error(`npm pack of ${commit} failed:\n${packed.stdout}\n${packed.stderr}`);
    const tarball = packed.stdout.trim().split("\n").at(-1)!;
    const extracted = run("tar", ["-xzf", path.join(into, tarball), "-C", into], into);
    if (extracted.code !== 0) throw new Error(`cannot unpack ${tarball}: ${extracted.stderr}`);
  });
  const bin = path.join(dir, "package/bin/create-taskchain.js");
  if (!existsSync(bin)) throw new Error(`${bin} is missing: remove .cache/earlier-cli and run again`);
  return bin;
}

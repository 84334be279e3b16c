// The in-place journal's states, each as a kill would leave it, and what recover() makes of them.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ChangeSet, RETIRED_TXN_DIR, TXN_DIR, commitInPlace, recover } from "../../src/fs/changeset.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function project(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "taskchain-changeset-"));
  dirs.push(root);
  writeFileSync(path.join(root, "a.txt"), "old a");
  return root;
}

/** A journal for "a.txt: old a → new a" and "b.txt: created", as commitInPlace writes it. */
function journal(root: string, withManifest: boolean): void {
  const txn = path.join(root, TXN_DIR);
  mkdirSync(path.join(txn, "staged"), { recursive: true });
  mkdirSync(path.join(txn, "backup"), { recursive: true });
  writeFileSync(path.join(txn, "staged/0"), "new a");
  writeFileSync(path.join(txn, "backup/0"), "old a");
  writeFileSync(path.join(txn, "staged/1"), "new b");
  const manifest = { changes: [{ kind: "update", path: "a.txt", staged: "staged/0", backup: "backup/0" }, { kind: "create", path: "b.txt", staged: "staged/1" }] };
  writeFileSync(path.join(txn, withManifest ? "manifest.json" : "manifest.json.tmp"), JSON.stringify(manifest));
}

describe("recover()", () => {
  it("leaves a project without a journal alone", async () => {
    const root = project();
    expect(await recover(root)).toBe("none");
    expect(readdirSync(root)).toEqual(["a.txt"]);
  });

  it("discards a journal killed before its manifest: nothing was applied", async () => {
    const root = project();
    journal(root, false);
    expect(await recover(root)).toBe("discarded");
    expect(readdirSync(root)).toEqual(["a.txt"]);
    expect(readFileSync(path.join(root, "a.txt"), "utf8")).toBe("old a");
  });

  it("rolls a journal with its manifest forward, also when some files were already applied", async () => {
    const root = project();
    journal(root, true);
    // Killed after the first rename: a.txt is in place, its staged copy gone.
    rmSync(path.join(root, "a.txt"));
    writeFileSync(path.join(root, "a.txt"), "new a");
    rmSync(path.join(root, TXN_DIR, "staged/0"));
    expect(await recover(root)).toBe("rolled-forward");
    expect(readdirSync(root).sort()).toEqual(["a.txt", "b.txt"]);
    expect(readFileSync(path.join(root, "a.txt"), "utf8")).toBe("new a");
    expect(readFileSync(path.join(root, "b.txt"), "utf8")).toBe("new b");
  });

  it("removes a finished journal a kill left half-deleted, without treating it as a journal", async () => {
    const root = project();
    // A finished commit's journal, its manifest already deleted: only the retired name tells it apart.
    mkdirSync(path.join(root, RETIRED_TXN_DIR, "staged"), { recursive: true });
    writeFileSync(path.join(root, RETIRED_TXN_DIR, "staged/1"), "x");
    expect(await recover(root)).toBe("none");
    expect(readdirSync(root)).toEqual(["a.txt"]);
  });
});

describe("commitInPlace()", () => {
  it("applies every change and leaves no journal behind", async () => {
    const root = project();
    const set = new ChangeSet(root).update("a.txt", "old a", "new a").create("sub/b.txt", "new b");
    await commitInPlace(set);
    expect(readFileSync(path.join(root, "a.txt"), "utf8")).toBe("new a");
    expect(readFileSync(path.join(root, "sub/b.txt"), "utf8")).toBe("new b");
    expect(existsSync(path.join(root, TXN_DIR))).toBe(false);
    expect(existsSync(path.join(root, RETIRED_TXN_DIR))).toBe(false);
  });

  it("rolls back on a failure after the commit point, removing the folders it made", async () => {
    const root = project();
    const set = new ChangeSet(root).update("a.txt", "old a", "new a").create("sub/b.txt", "new b");
    await expect(commitInPlace(set, { afterApplyStep: (n) => void (n === 2 && (() => { throw new Error("disk full"); })()) })).rejects.toThrow("disk full");
    expect(readdirSync(root)).toEqual(["a.txt"]);
    expect(readFileSync(path.join(root, "a.txt"), "utf8")).toBe("old a");
  });

  it("refuses when the disk no longer holds what the change was computed from", async () => {
    const root = project();
    const set = new ChangeSet(root).update("a.txt", "something else", "new a");
    await expect(commitInPlace(set)).rejects.toThrow("a.txt changed on disk while the change was being prepared; run the command again");
    expect(readFileSync(path.join(root, "a.txt"), "utf8")).toBe("old a");
    expect(readdirSync(root)).toEqual(["a.txt"]);
  });
});

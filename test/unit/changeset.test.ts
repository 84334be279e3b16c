// In-place commits killed at their edges: a journal still named .taskchain-txn without its manifest
// must mean "nothing was applied" (recover() discards it), one with its manifest must be complete
// enough to roll forward, and a rollback a kill interrupted must be finished, not undone.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import fsp from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ChangeSet } from "../../src/fs/changeset.js";
import { commitInPlace, recover, RETIRED_TXN_DIR, TXN_DIR } from "../../src/fs/journal.js";

function project(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "taskchain-changeset-"));
  writeFileSync(path.join(root, "a.txt"), "a1");
  writeFileSync(path.join(root, "b.txt"), "b1");
  return root;
}
const files = (root: string) => Object.fromEntries(readdirSync(root).filter((n) => n.endsWith(".txt")).map((n) => [n, readFileSync(path.join(root, n), "utf8")]));
const change = (root: string) => new ChangeSet(root).update("a.txt", "a1", "a2").update("b.txt", "b1", "b2").create("c.txt", "c2");

/**
 * Makes the next recursive rm of a journal folder die half-way, the way a kill would: `first` (a
 * path inside the journal) is deleted, then an exception.
 */
function killDuringJournalDeletion(root: string, first: string): void {
  const realRm = fsp.rm;
  const spy = vi.spyOn(fsp, "rm").mockImplementation(async (target, options) => {
    if (String(target).startsWith(path.join(root, TXN_DIR)) && options?.recursive && existsSync(String(target))) {
      await realRm(path.join(String(target), first), { recursive: true, force: true });
      spy.mockRestore();
      syncBuiltinESMExports();
      throw new Error("killed");
    }
    return realRm(target, options);
  });
  syncBuiltinESMExports();
}

afterEach(() => {
  vi.restoreAllMocks();
  syncBuiltinESMExports();
});

describe("commitInPlace", () => {
  it("applies every change and leaves no journal", async () => {
    const root = project();
    await commitInPlace(change(root));
    expect(files(root)).toEqual({ "a.txt": "a2", "b.txt": "b2", "c.txt": "c2" });
    expect(readdirSync(root).filter((n) => n.startsWith(TXN_DIR))).toEqual([]);
  });

  it("killed while deleting its finished journal: the next command finds the change complete, and no journal that says otherwise", async () => {
    const root = project();
    killDuringJournalDeletion(root, "manifest.json");
    await expect(commitInPlace(change(root))).rejects.toThrow("killed");
    const txn = path.join(root, TXN_DIR);
    // Every change was applied, so a journal without its manifest (read as "nothing applied") must not remain.
    expect(existsSync(txn) && !existsSync(path.join(txn, "manifest.json"))).toBe(false);
    await recover(root);
    expect(files(root)).toEqual({ "a.txt": "a2", "b.txt": "b2", "c.txt": "c2" });
    expect(readdirSync(root).filter((n) => n.startsWith(TXN_DIR))).toEqual([]);
  });

  it("an error while applying rolls back; killed while deleting that journal, the next command does not roll it forward", async () => {
    const root = project();
    let killArmed = false;
    const failing = commitInPlace(change(root), {
      afterApplyStep: (n) => {
        if (n === 2) {
          // The manifest outlives one staged file: a roll-forward would now apply only the rest.
          killDuringJournalDeletion(root, "staged/1");
          killArmed = true;
          throw new Error("disk full");
        }
      },
    });
    await expect(failing).rejects.toThrow(/killed|disk full/);
    expect(killArmed).toBe(true);
    await recover(root);
    expect(files(root)).toEqual({ "a.txt": "a1", "b.txt": "b1" });
    expect(readdirSync(root).filter((n) => n.startsWith(TXN_DIR))).toEqual([]);
  });

  it("killed in the middle of a rollback: the next command finishes the rollback, it does not roll the commit forward", async () => {
    const root = project();
    const failing = commitInPlace(change(root), {
      afterApplyStep: (n) => {
        if (n !== 2) return;
        // The rollback restores a.txt, then dies before b.txt.
        const realWrite = fsp.writeFile;
        let restored = 0;
        vi.spyOn(fsp, "writeFile").mockImplementation(async (file, data, options) => {
          if (path.dirname(String(file)) === root && ++restored === 2) throw new Error("killed");
          return realWrite(file, data, options);
        });
        syncBuiltinESMExports();
        throw new Error("disk full");
      },
    });
    await expect(failing).rejects.toThrow("killed");
    vi.restoreAllMocks();
    syncBuiltinESMExports();
    expect(files(root)).toEqual({ "a.txt": "a1", "b.txt": "b2" }); // half rolled back, as a kill would leave it
    expect(await recover(root)).toBe("rolled-back");
    expect(files(root)).toEqual({ "a.txt": "a1", "b.txt": "b1" });
    expect(readdirSync(root).filter((n) => n.startsWith(TXN_DIR))).toEqual([]);
  });
});

/** A project of one file, a.txt = "old a". */
function single(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "taskchain-changeset-"));
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
    const root = single();
    expect(await recover(root)).toBe("none");
    expect(readdirSync(root)).toEqual(["a.txt"]);
  });

  it("discards a journal killed before its manifest: nothing was applied", async () => {
    const root = single();
    journal(root, false);
    expect(await recover(root)).toBe("discarded");
    expect(readdirSync(root)).toEqual(["a.txt"]);
    expect(readFileSync(path.join(root, "a.txt"), "utf8")).toBe("old a");
  });

  it("rolls a journal with its manifest forward, also when some files were already applied", async () => {
    const root = single();
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

  it("rolls forward a delete whose emptied folders are already gone", async () => {
    const root = single();
    mkdirSync(path.join(root, "sub/deeper"), { recursive: true });
    writeFileSync(path.join(root, "sub/deeper/x.txt"), "x");
    // Killed once every change was applied, before the journal was retired: x.txt and the folders
    // it left empty are gone, the journal and its manifest are not.
    const realRename = fsp.rename;
    vi.spyOn(fsp, "rename").mockImplementation(async (from, to) => {
      if (String(to) === path.join(root, RETIRED_TXN_DIR)) throw new Error("killed");
      return realRename(from, to);
    });
    syncBuiltinESMExports();
    await expect(commitInPlace(new ChangeSet(root).update("a.txt", "old a", "new a").delete("sub/deeper/x.txt", "x"))).rejects.toThrow("killed");
    vi.restoreAllMocks();
    syncBuiltinESMExports();
    expect(existsSync(path.join(root, "sub"))).toBe(false);
    expect(existsSync(path.join(root, TXN_DIR, "manifest.json"))).toBe(true);
    expect(await recover(root)).toBe("rolled-forward");
    expect(readdirSync(root)).toEqual(["a.txt"]);
    expect(readFileSync(path.join(root, "a.txt"), "utf8")).toBe("new a");
  });

  it("removes a finished journal a kill left half-deleted, without treating it as a journal", async () => {
    const root = single();
    // A finished commit's journal, its manifest already deleted: only the retired name tells it apart.
    mkdirSync(path.join(root, RETIRED_TXN_DIR, "staged"), { recursive: true });
    writeFileSync(path.join(root, RETIRED_TXN_DIR, "staged/1"), "x");
    expect(await recover(root)).toBe("none");
    expect(readdirSync(root)).toEqual(["a.txt"]);
  });
});

describe("commitInPlace() failures", () => {
  it("rolls back on a failure after the commit point, removing the folders it made", async () => {
    const root = single();
    const set = new ChangeSet(root).update("a.txt", "old a", "new a").create("sub/b.txt", "new b");
    await expect(commitInPlace(set, { afterApplyStep: (n) => void (n === 2 && (() => { throw new Error("disk full"); })()) })).rejects.toThrow("disk full");
    expect(readdirSync(root)).toEqual(["a.txt"]);
    expect(readFileSync(path.join(root, "a.txt"), "utf8")).toBe("old a");
  });

  it("refuses when the disk no longer holds what the change was computed from", async () => {
    const root = single();
    const set = new ChangeSet(root).update("a.txt", "something else", "new a");
    await expect(commitInPlace(set)).rejects.toThrow("a.txt changed on disk while the change was being prepared; run the command again");
    expect(readFileSync(path.join(root, "a.txt"), "utf8")).toBe("old a");
    expect(readdirSync(root)).toEqual(["a.txt"]);
  });
});

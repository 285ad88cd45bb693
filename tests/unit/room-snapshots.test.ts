import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { addFile, filesOf, foldersOf, listFiles, ROOM_DOCUMENT_LIMITS } from "../../lib/rooms/document";
import { snapshotContent, storedFiles } from "../../lib/rooms/snapshots/content";
import { compareFiles, MAX_DIFF_CHARS } from "../../lib/rooms/snapshots/diff";
import { restoreFiles, restoreUndoManager } from "../../lib/rooms/snapshots/restore";
import { type RetainedRow, snapshotsToPrune } from "../../lib/rooms/snapshots/retention";
import { snapshotRun } from "../../lib/rooms/snapshots/run-snapshot";

describe("snapshot content", () => {
  it("sorts the files, so the same files in another order hash the same", () => {
    const a = snapshotContent([
      { path: "b.py", content: "2" },
      { path: "a.py", content: "1" },
    ]);
    const b = snapshotContent([
      { path: "a.py", content: "1" },
      { path: "b.py", content: "2" },
    ]);
    expect(a.files.map((f) => f.path)).toEqual(["a.py", "b.py"]);
    expect(a.hash).toBe(b.hash);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(snapshotContent([{ path: "a.py", content: "1!" }]).hash).not.toBe(a.hash);
  });

  it("counts the bytes of the files' JSON, as stored and served (UTF-8, escapes included)", () => {
    expect(snapshotContent([{ path: "é.py", content: "€" }]).bytes).toBe('[{"path":"","content":""}]'.length + 2 + 3 + 3);
    // A control character is one byte of text but six of JSON: the quota counts the six.
    expect(snapshotContent([{ path: "a", content: "\u0001".repeat(10) }]).bytes).toBe('[{"path":"a","content":""}]'.length + 60);
  });

  it("reads stored rows defensively", () => {
    expect(storedFiles([{ path: "a", content: "x" }, { path: 1 }, null, "z"])).toEqual([{ path: "a", content: "x" }]);
    expect(storedFiles({})).toEqual([]);
  });
});

describe("retention", () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 27, 12, minute));
  const row = (id: string, kind: "manual" | "run", minute: number, bytes = 10): RetainedRow => ({ id, kind, bytes, createdAt: at(minute) });

  it("keeps the newest N run snapshots and every named one", () => {
    const rows = [row("r1", "run", 1), row("m1", "manual", 2), row("r2", "run", 3), row("r3", "run", 4), row("m2", "manual", 5)];
    expect(snapshotsToPrune(rows, { runs: 2, manual: 10, bytes: 1000 })).toEqual(["r1"]);
  });

  it("drops the oldest run snapshots while the room is over its byte quota, never named ones", () => {
    const rows = [row("r1", "run", 1, 40), row("r2", "run", 2, 40), row("r3", "run", 3, 40), row("m1", "manual", 0, 50)];
    expect(snapshotsToPrune(rows, { runs: 10, manual: 10, bytes: 100 }).sort()).toEqual(["r1", "r2"]);
    // Named ones alone over the quota: every run snapshot goes, the named stay.
    expect(snapshotsToPrune([row("m1", "manual", 0, 500), row("r1", "run", 1)], { runs: 10, manual: 10, bytes: 100 })).toEqual(["r1"]);
  });

  it("prunes nothing within the limits", () => {
    expect(snapshotsToPrune([row("r1", "run", 1), row("m1", "manual", 2)], { runs: 1, manual: 1, bytes: 20 })).toEqual([]);
  });
});

describe("comparing a snapshot with now", () => {
  it("lists added, removed and changed files with a line diff", () => {
    const changes = compareFiles(
      [
        { path: "a.py", content: "one\ntwo\nthree\n" },
        { path: "gone.py", content: "x" },
        { path: "same.py", content: "s" },
      ],
      [
        { path: "a.py", content: "one\nTWO\nthree\n" },
        { path: "new.py", content: "y" },
        { path: "same.py", content: "s" },
      ],
    );
    expect(changes.map((c) => [c.path, c.status])).toEqual([
      ["a.py", "changed"],
      ["gone.py", "removed"],
      ["new.py", "added"],
    ]);
    expect(changes[0]!.lines).toEqual([
      { kind: "same", text: "one\n" },
      { kind: "removed", text: "two\n" },
      { kind: "added", text: "TWO\n" },
      { kind: "same", text: "three\n" },
    ]);
  });

  it("does not diff files too large or too different to diff cheaply", () => {
    const big = "x\n".repeat(MAX_DIFF_CHARS);
    expect(compareFiles([{ path: "a", content: big }], [{ path: "a", content: `${big}y` }])[0]).toEqual({ path: "a", status: "changed", lines: null });
    const many = (p: string) => Array.from({ length: 2000 }, (_, i) => `${p}${i}`).join("\n");
    expect(compareFiles([{ path: "a", content: many("a") }], [{ path: "a", content: many("b") }])[0]!.lines).toBeNull();
  });
});

describe("restoring a snapshot into the room's document", () => {
  function room(files: Record<string, string>) {
    const doc = new Y.Doc();
    const ids: Record<string, string> = {};
    doc.transact(() => {
      for (const [path, content] of Object.entries(files)) ids[path] = addFile(doc, path, content);
    });
    return { doc, ids };
  }
  const contents = (doc: Y.Doc) => Object.fromEntries(listFiles(doc).map((f) => [f.path, f.content]));

  it("deletes files created since, brings back deleted ones and changes changed ones, in one transaction", () => {
    const { doc, ids } = room({ "main.py": "print('now')\n", "new.py": "n" });
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
    const updates: Uint8Array[] = [];
    doc.on("update", (u: Uint8Array) => updates.push(u));
    const origin = { restore: true };
    const summary = restoreFiles(
      doc,
      [
        { path: "main.py", content: "print('then')\n" },
        { path: "old.py", content: "o" },
      ],
      origin,
    );
    expect(summary).toEqual({ added: 1, removed: 1, changed: 1 });
    expect(updates).toHaveLength(1);
    expect(contents(doc)).toEqual({ "main.py": "print('then')\n", "old.py": "o" });
    // The changed file keeps its id (and Y.Text): an editor bound to it stays bound.
    expect(listFiles(doc).find((f) => f.path === "main.py")!.id).toBe(ids["main.py"]);
    Y.applyUpdate(other, updates[0]!);
    expect(contents(other)).toEqual(contents(doc));
  });

  it("undo takes back only the restore, not edits made before it", () => {
    const { doc, ids } = room({ "main.py": "v1\n" });
    const text = filesOf(doc).get(ids["main.py"]!)!.get("text") as Y.Text;
    text.insert(3, "my edit\n");
    const origin = {};
    const undo = restoreUndoManager(doc, origin);
    restoreFiles(
      doc,
      [
        { path: "main.py", content: "v0\n" },
        { path: "b.py", content: "b" },
      ],
      origin,
    );
    expect(contents(doc)).toEqual({ "main.py": "v0\n", "b.py": "b" });
    undo.undo();
    expect(contents(doc)).toEqual({ "main.py": "v1\nmy edit\n" });
    undo.destroy();
  });

  it("undo brings back a file the restore deleted, with its text", () => {
    const { doc } = room({ "main.py": "m", "later.py": "typed after the snapshot" });
    const origin = {};
    const undo = restoreUndoManager(doc, origin);
    restoreFiles(doc, [{ path: "main.py", content: "m" }], origin);
    expect(contents(doc)).toEqual({ "main.py": "m" });
    undo.undo();
    expect(contents(doc)).toEqual({ "main.py": "m", "later.py": "typed after the snapshot" });
  });

  it("keeps whole characters when only part of a surrogate pair differs", () => {
    const { doc } = room({ "a.txt": "x😀y" });
    restoreFiles(doc, [{ path: "a.txt", content: "x😃y" }], {});
    expect(contents(doc)["a.txt"]).toBe("x😃y");
  });

  it("removes an empty folder where the snapshot has a file, and keeps the others", () => {
    const { doc } = room({});
    doc.transact(() => {
      foldersOf(doc).set("lib", true);
      foldersOf(doc).set("keep", true);
    });
    restoreFiles(doc, [{ path: "lib", content: "a file now" }], {});
    expect([...foldersOf(doc).keys()]).toEqual(["keep"]);
    expect(contents(doc)).toEqual({ lib: "a file now" });
  });

  it("deletes first, in a transaction of its own, when old and new files together would pass the file limit", () => {
    const n = ROOM_DOCUMENT_LIMITS.files;
    const { doc } = room(Object.fromEntries(Array.from({ length: n }, (_, i) => [`now${i}.py`, ""])));
    const origin = {};
    const undo = restoreUndoManager(doc, origin);
    let transactions = 0;
    doc.on("afterTransaction", (tr: Y.Transaction) => tr.origin === origin && transactions++);
    restoreFiles(
      doc,
      Array.from({ length: n }, (_, i) => ({ path: `then${i}.py`, content: "" })),
      origin,
    );
    expect(transactions).toBe(2);
    expect(listFiles(doc).every((f) => f.path.startsWith("then"))).toBe(true);
    undo.undo();
    expect(listFiles(doc).every((f) => f.path.startsWith("now"))).toBe(true);
    expect(listFiles(doc)).toHaveLength(n);
  });
});

describe("the snapshot at each run", () => {
  it("never fails the run: a failure to store it is logged and the call resolves", async () => {
    const warnings: unknown[][] = [];
    const db = { $transaction: () => Promise.reject(new Error("database went away")) };
    const log = { warn: (...args: unknown[]) => warnings.push(args) };
    await expect(
      snapshotRun({ db: db as never, log: log as never }, { roomId: "r", userId: "u", executionId: "e", files: [{ name: "main.py", content: "print(1)" }] }),
    ).resolves.toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]![0]).toMatchObject({ roomId: "r", executionId: "e", err: "database went away" });
  });
});

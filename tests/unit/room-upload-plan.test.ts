import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { addFile, filesOf, foldersOf, listFiles } from "../../lib/rooms/document";
import { ROOM_FILE_LIMITS } from "../../lib/rooms/archive/limits";
import { applyUpload, planUpload, type UploadCandidate } from "../../lib/rooms/archive/upload-plan";

const file = (path: string, content: string | Uint8Array): UploadCandidate => {
  const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
  return { path, size: bytes.length, bytes: async () => bytes };
};

function room(): Y.Doc {
  const doc = new Y.Doc();
  addFile(doc, "main.py", "print(1)\n", "main-id");
  foldersOf(doc).set("docs", true);
  return doc;
}

describe("an upload into a room's tree, decided file by file", () => {
  it("adds text, asks before replacing, and refuses the rest with the reason", async () => {
    const doc = room();
    const plan = await planUpload(doc, [
      file("a.py", "A\n"),
      file("main.py", "print(2)\n"),
      file("img.png", new Uint8Array([0x89, 0x50, 0, 1])),
      file("latin.txt", new Uint8Array([0x63, 0xe9])),
      file("docs", "x"),
      file("main.py/inner.py", "x"),
      file("../up.py", "x"),
      file("a.py", "again"),
      { path: "big.txt", size: ROOM_FILE_LIMITS.fileBytes + 1, bytes: async () => Promise.reject(new Error("must not be read")) },
    ]);
    expect(plan.add).toEqual([{ path: "a.py", content: "A\n" }]);
    expect(plan.replace).toEqual([{ path: "main.py", id: "main-id", content: "print(2)\n" }]);
    expect(plan.refused.map((r) => r.reason)).toEqual([
      "img.png is binary; rooms hold text files only",
      "latin.txt is binary; rooms hold text files only",
      "docs is a folder in the room already",
      "main.py/inner.py cannot go in: main.py is a file, not a folder",
      "../up.py has a name a room cannot hold: file names must not contain '..', '.' or empty parts",
      "a.py is in this upload twice",
      "big.txt is too large (1.0 MiB); a room file may be at most 1.0 MiB",
    ]);
  });

  it("replaces a file's text in place (same id, one edit) only when told to", async () => {
    const doc = room();
    const updates: Uint8Array[] = [];
    doc.on("update", (u: Uint8Array) => updates.push(u));
    const plan = await planUpload(doc, [file("main.py", "print(2)\n"), file("b.py", "B\n")]);
    expect(applyUpload(doc, plan, false)).toBe(1);
    expect(listFiles(doc).find((f) => f.path === "main.py")?.content).toBe("print(1)\n");
    expect(applyUpload(doc, plan, true)).toBe(2);
    expect(updates).toHaveLength(2);
    expect(listFiles(doc).find((f) => f.path === "main.py")).toEqual({ id: "main-id", path: "main.py", content: "print(2)\n" });
    expect(filesOf(doc).size).toBe(3);
  });

  it("refuses files past the room's 100 and past one upload's total, and sends big uploads in several edits", async () => {
    const doc = room();
    const many = Array.from({ length: 100 }, (_, i) => file(`f${i}.txt`, "x"));
    const plan = await planUpload(doc, many);
    expect(plan.add).toHaveLength(99);
    expect(plan.refused.map((r) => r.reason)).toEqual(["f99.txt was not added: too many files (a room holds at most 100)"]);

    const fresh = new Y.Doc();
    const mib = "y".repeat(ROOM_FILE_LIMITS.fileBytes);
    const big = await planUpload(
      fresh,
      Array.from({ length: 5 }, (_, i) => file(`big${i}.txt`, mib)),
    );
    expect(big.add).toHaveLength(4);
    expect(big.refused.map((r) => r.reason)).toEqual(["big4.txt was not added: one upload may bring at most 4.0 MiB; upload the rest separately"]);
    const updates: Uint8Array[] = [];
    fresh.on("update", (u: Uint8Array) => updates.push(u));
    applyUpload(fresh, big, false);
    expect(updates).toHaveLength(4);
    for (const u of updates) expect(u.byteLength).toBeLessThan(ROOM_FILE_LIMITS.editBytes + 4096);
  });
});

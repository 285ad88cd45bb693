import { describe, expect, it } from "vitest";
import type * as Y from "yjs";
import { listFiles } from "../../lib/rooms/document";
import { createFile, createFolder, deletePath, movePath } from "../../lib/rooms/tree";
import { connectRoom, eventually, roomToken, roomWithMembers } from "../support/rooms";

const paths = (doc: Y.Doc) => listFiles(doc).map((f) => f.path);

describe("the file tree, changed by one member, live for the others", () => {
  it("create, rename, move and delete files and folders; names follow the run rules", async () => {
    const { roomId, editor, viewer } = await roomWithMembers();
    const a = connectRoom(roomId, () => roomToken(roomId, editor));
    const b = connectRoom(roomId, () => roomToken(roomId, viewer));
    try {
      await Promise.all([a.synced, b.synced]);
      expect(createFile(a.doc, "src/util.py", "def f(): return 1\n")).toBeUndefined();
      expect(createFolder(a.doc, "docs")).toBeUndefined();
      await eventually("the viewer to see the new file and folder", () => paths(b.doc).includes("src/util.py") && b.doc.getMap("folders").has("docs"));

      // Renaming a file keeps its text (it is the same entry, only its path changes).
      expect(movePath(a.doc, "src/util.py", "src/helpers.py")).toBeUndefined();
      // Moving a folder moves everything in it.
      expect(movePath(a.doc, "src", "lib/src")).toBeUndefined();
      await eventually("the viewer to see the move", () => paths(b.doc).includes("lib/src/helpers.py") && !paths(b.doc).includes("src/util.py"));
      expect(listFiles(b.doc).find((f) => f.path === "lib/src/helpers.py")?.content).toBe("def f(): return 1\n");

      // The execution API's rules: what the tree holds can always run.
      expect(createFile(a.doc, "../escape.py")).toMatch(/\.\./);
      expect(createFile(a.doc, "/abs.py")).toMatch(/relative/);
      expect(createFile(a.doc, "back\\slash.py")).toMatch(/backslash/);
      expect(createFile(a.doc, "main.py")).toMatch(/already exists/);
      expect(movePath(a.doc, "lib", "lib/inside")).toMatch(/itself/);

      deletePath(a.doc, "lib");
      deletePath(a.doc, "docs");
      await eventually("the viewer to see the deletions", () => paths(b.doc).join() === "main.py" && b.doc.getMap("folders").size === 0);
    } finally {
      a.destroy();
      b.destroy();
    }
  });
});

import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { addFile, foldersOf, listFiles, ROOM_DOCUMENT_LIMITS } from "../../lib/rooms/document";
import { createFile, createFolder, deletePath, movePath, pathProblem } from "../../lib/rooms/tree";

// The tree's rules on a document in memory; tests/integration/room-tree.test.ts checks the same changes reach other members live.
function room(): Y.Doc {
  const doc = new Y.Doc();
  addFile(doc, "main.py", "print(1)\n");
  return doc;
}
const paths = (doc: Y.Doc) =>
  listFiles(doc)
    .map((f) => f.path)
    .sort();

describe("the file tree", () => {
  it("refuses names that could not run, saying why", () => {
    expect(pathProblem("src/ok.py")).toBeUndefined();
    expect(pathProblem("../escape.py")).toMatch(/\.\./);
    expect(pathProblem("/abs.py")).toMatch(/relative/);
    expect(pathProblem("back\\slash.py")).toMatch(/backslash/);
    const deep = `${Array.from({ length: ROOM_DOCUMENT_LIMITS.depth + 1 }, (_, i) => `d${i}`).join("/")}/f.py`;
    expect(pathProblem(deep)).toMatch(/folders deep/);
    expect(pathProblem(42)).toBeTruthy();
  });

  it("creates files and folders once each", () => {
    const doc = room();
    expect(createFile(doc, "src/util.py", "x = 1\n")).toBeUndefined();
    expect(createFile(doc, "src/util.py")).toMatch(/already exists/);
    expect(createFolder(doc, "docs")).toBeUndefined();
    expect(createFolder(doc, "docs")).toMatch(/already exists/);
    expect(createFile(doc, "docs")).toMatch(/already exists/);
    expect(paths(doc)).toEqual(["main.py", "src/util.py"]);
    expect(foldersOf(doc).has("docs")).toBe(true);
  });

  it("moves a folder with everything in it and keeps the text", () => {
    const doc = room();
    createFile(doc, "src/a/b.py", "b\n");
    createFolder(doc, "src/empty");
    expect(movePath(doc, "src", "lib/src")).toBeUndefined();
    expect(paths(doc)).toEqual(["lib/src/a/b.py", "main.py"]);
    expect(foldersOf(doc).has("lib/src/empty")).toBe(true);
    expect(listFiles(doc).find((f) => f.path === "lib/src/a/b.py")?.content).toBe("b\n");
  });

  it("refuses moves into itself, onto something, from nothing, or that break a moved path", () => {
    const doc = room();
    createFile(doc, "src/x.py");
    expect(movePath(doc, "src", "src/inner")).toMatch(/itself/);
    expect(movePath(doc, "src/x.py", "main.py")).toMatch(/already exists/);
    expect(movePath(doc, "nothing", "else")).toMatch(/does not exist/);
    const deepParent = Array.from({ length: ROOM_DOCUMENT_LIMITS.depth + 1 }, (_, i) => `d${i}`).join("/");
    expect(movePath(doc, "src", deepParent)).toMatch(/folders deep/);
    expect(movePath(doc, "main.py", "main.py")).toBeUndefined();
    expect(paths(doc)).toEqual(["main.py", "src/x.py"]);
  });

  it("deletes a folder with everything in it, and nothing else", () => {
    const doc = room();
    createFile(doc, "src/x.py");
    createFile(doc, "srcx.py");
    createFolder(doc, "src/sub");
    deletePath(doc, "src");
    expect(paths(doc)).toEqual(["main.py", "srcx.py"]);
    expect(foldersOf(doc).size).toBe(0);
  });

  it("stops at the room's file limit", () => {
    const doc = room();
    for (let i = 1; i < ROOM_DOCUMENT_LIMITS.files; i++) expect(createFile(doc, `f${i}.py`)).toBeUndefined();
    expect(createFile(doc, "one-more.py")).toMatch(/at most/);
  });
});

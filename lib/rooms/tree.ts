import type * as Y from "yjs";
import { fileNameSchema } from "../executions/request";
import { displayTextProblem } from "../http/text";
import { addFile, filesOf, foldersOf, ROOM_DOCUMENT_LIMITS } from "./document";

/**
 * File-tree changes on a room's document, each in one transaction so every
 * member sees it whole. Names follow the execution API's rules, so whatever
 * the tree holds can run, and stay within the room's limits (the room server
 * refuses a change that does not, closing the socket: better said here
 * first). Each returns an error message for the person, or undefined when done.
 */
export function pathProblem(path: unknown): string | undefined {
  const parsed = fileNameSchema.safeParse(path);
  if (!parsed.success) return parsed.error.issues[0]?.message;
  if (parsed.data.split("/").length - 1 > ROOM_DOCUMENT_LIMITS.depth) return `paths may go at most ${ROOM_DOCUMENT_LIMITS.depth} folders deep`;
  return undefined;
}

/**
 * pathProblem, and for a name given now (created, renamed, moved, uploaded,
 * imported from a zip, or sent to the room server): no control characters
 * (a line break, an escape sequence) and no bidirectional controls, which make
 * a name show as another ("invoice\u202Etxt.py" reads "invoiceyp.txt") in the
 * tree every member sees, as room names may not (lib/http/text.ts). Files
 * named so before this rule still show and run (pathProblem): rename them.
 */
export function newPathProblem(path: unknown): string | undefined {
  const problem = pathProblem(path);
  if (problem) return problem;
  const display = displayTextProblem(path as string);
  return display ? `file names ${display}` : undefined;
}

function filePaths(doc: Y.Doc): Map<string, string> {
  const paths = new Map<string, string>();
  filesOf(doc).forEach((entry, id) => {
    const p = entry.get("path");
    if (typeof p === "string") paths.set(p, id);
  });
  return paths;
}

function taken(doc: Y.Doc, path: string): boolean {
  return filePaths(doc).has(path) || foldersOf(doc).has(path);
}

export function createFile(doc: Y.Doc, path: string, content = ""): string | undefined {
  const problem = newPathProblem(path);
  if (problem) return problem;
  if (taken(doc, path)) return `"${path}" already exists`;
  if (filesOf(doc).size >= ROOM_DOCUMENT_LIMITS.files) return `a room holds at most ${ROOM_DOCUMENT_LIMITS.files} files`;
  doc.transact(() => addFile(doc, path, content));
  return undefined;
}

export function createFolder(doc: Y.Doc, path: string): string | undefined {
  const problem = newPathProblem(path);
  if (problem) return problem;
  if (taken(doc, path)) return `"${path}" already exists`;
  if (foldersOf(doc).size >= ROOM_DOCUMENT_LIMITS.folders) return `a room holds at most ${ROOM_DOCUMENT_LIMITS.folders} folders`;
  doc.transact(() => foldersOf(doc).set(path, true));
  return undefined;
}

/** Renames or moves a file, or a folder with everything in it. */
export function movePath(doc: Y.Doc, from: string, to: string): string | undefined {
  if (from === to) return undefined;
  const problem = newPathProblem(to);
  if (problem) return problem;
  if (to.startsWith(`${from}/`)) return "a folder cannot move into itself";
  if (taken(doc, to)) return `"${to}" already exists`;
  const files = filePaths(doc);
  const folders = foldersOf(doc);
  const inside = (p: string) => p === from || p.startsWith(`${from}/`);
  const moved = (p: string) => to + p.slice(from.length);
  if (![...files.keys()].some(inside) && ![...folders.keys()].some(inside)) return `"${from}" does not exist`;
  // Everything inside moves too: each new path must follow the rules (a longer or deeper parent can break them).
  for (const p of [...files.keys(), ...folders.keys()]) {
    const movedProblem = inside(p) ? newPathProblem(moved(p)) : undefined;
    if (movedProblem) return `"${moved(p)}": ${movedProblem}`;
  }
  doc.transact(() => {
    for (const [p, id] of files) if (inside(p)) filesOf(doc).get(id)!.set("path", moved(p));
    for (const p of [...folders.keys()]) {
      if (!inside(p)) continue;
      folders.delete(p);
      folders.set(moved(p), true);
    }
  });
  return undefined;
}

/** Deletes a file, or a folder with everything in it. */
export function deletePath(doc: Y.Doc, path: string): void {
  const inside = (p: string) => p === path || p.startsWith(`${path}/`);
  doc.transact(() => {
    for (const [p, id] of filePaths(doc)) if (inside(p)) filesOf(doc).delete(id);
    for (const p of [...foldersOf(doc).keys()]) if (inside(p)) foldersOf(doc).delete(p);
  });
}

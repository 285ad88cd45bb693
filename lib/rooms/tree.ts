import type * as Y from "yjs";
import { fileNameSchema } from "../executions/request";
import { addFile, filesOf, foldersOf } from "./document";

/**
 * File-tree changes on a room's document, each in one transaction so every
 * member sees it whole. Names follow the execution API's rules, so whatever
 * the tree holds can run. Each returns an error message for the person, or
 * undefined when done.
 */
export function pathProblem(path: string): string | undefined {
  const parsed = fileNameSchema.safeParse(path);
  return parsed.success ? undefined : parsed.error.issues[0]?.message;
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
  const problem = pathProblem(path);
  if (problem) return problem;
  if (taken(doc, path)) return `"${path}" already exists`;
  doc.transact(() => addFile(doc, path, content));
  return undefined;
}

export function createFolder(doc: Y.Doc, path: string): string | undefined {
  const problem = pathProblem(path);
  if (problem) return problem;
  if (taken(doc, path)) return `"${path}" already exists`;
  doc.transact(() => foldersOf(doc).set(path, true));
  return undefined;
}

/** Renames or moves a file, or a folder with everything in it. */
export function movePath(doc: Y.Doc, from: string, to: string): string | undefined {
  if (from === to) return undefined;
  const problem = pathProblem(to);
  if (problem) return problem;
  if (to.startsWith(`${from}/`)) return "a folder cannot move into itself";
  if (taken(doc, to)) return `"${to}" already exists`;
  const files = filePaths(doc);
  const folders = foldersOf(doc);
  const inside = (p: string) => p === from || p.startsWith(`${from}/`);
  const moved = (p: string) => to + p.slice(from.length);
  if (![...files.keys()].some(inside) && ![...folders.keys()].some(inside)) return `"${from}" does not exist`;
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

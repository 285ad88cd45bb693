import * as Y from "yjs";

/**
 * The shape of a room's Yjs document, shared by the web app, the collab
 * service, the browser and the tests:
 *
 *   files:   Y.Map  id -> Y.Map { path: string, text: Y.Text }
 *   folders: Y.Map  path -> true   (folders that exist even when empty)
 *
 * Files are keyed by a stable id, not by path, so renaming or moving one
 * while someone types in it keeps their keystrokes: only its `path` changes.
 * Paths follow the execution API's rules (relative, "/"-separated, no "..").
 */
export const FILES = "files";
export const FOLDERS = "folders";

export interface RoomFile {
  id: string;
  path: string;
  content: string;
}

export const filesOf = (doc: Y.Doc) => doc.getMap<Y.Map<unknown>>(FILES);
export const foldersOf = (doc: Y.Doc) => doc.getMap<boolean>(FOLDERS);

export function newFileId(): string {
  return globalThis.crypto.randomUUID();
}

/** Adds a file (in the caller's transaction, if any); returns its id. */
export function addFile(doc: Y.Doc, path: string, content: string, id = newFileId()): string {
  const entry = new Y.Map<unknown>();
  entry.set("path", path);
  const text = new Y.Text();
  text.insert(0, content);
  entry.set("text", text);
  filesOf(doc).set(id, entry);
  return id;
}

/** Every file with its current text, sorted by path. */
export function listFiles(doc: Y.Doc): RoomFile[] {
  const out: RoomFile[] = [];
  filesOf(doc).forEach((entry, id) => {
    const path = entry.get("path");
    const text = entry.get("text");
    if (typeof path === "string" && text instanceof Y.Text) out.push({ id, path, content: text.toString() });
  });
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A new room's document from a language template, encoded as one update (what RoomDocument stores). */
export function templateDocument(files: Array<{ name: string; content: string }>): Uint8Array {
  const doc = new Y.Doc();
  doc.transact(() => {
    for (const f of files) addFile(doc, f.name, f.content);
  });
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}

export function decodeDocument(state: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc;
}

/**
 * The files to run, entry point first: the language's entry file where the
 * room has one, else the first file by path.
 */
export function filesForRun(files: RoomFile[], entryFile: string): Array<{ name: string; content: string }> {
  const entry = files.find((f) => f.path === entryFile) ?? files[0];
  const ordered = entry ? [entry, ...files.filter((f) => f !== entry)] : [];
  return ordered.map((f) => ({ name: f.path, content: f.content }));
}

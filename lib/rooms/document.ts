import * as Y from "yjs";
import { MAX_FILES } from "../executions/request";

/**
 * The shape of a room's Yjs document, shared by the web app, the collab
 * service, the browser and the tests:
 *
 *   files:   Y.Map  id -> Y.Map { path: string, text: Y.Text }
 *   folders: Y.Map  path -> true   (folders that exist even when empty)
 *   run:     Y.Map  the room's run configuration, every key optional
 *                   (lib/rooms/run-config.ts):
 *                     entry: string     a file's path: the file the run starts from
 *                     language: string  a runtime's name (lib/executions/runtimes.ts)
 *                     args: string[]    the program's arguments
 *                     stdin: string     the input given when the run starts
 *                   A missing key means the default: the room's language and that
 *                   language's entry file, no args, no input.
 *
 * Files are keyed by a stable id, not by path, so renaming or moving one
 * while someone types in it keeps their keystrokes: only its `path` changes.
 * Paths follow the execution API's rules (relative, "/"-separated, no "..").
 *
 * There is one run configuration, shared: everyone in the room runs the same
 * thing and sees it change live. "Run this file" runs another file once
 * without touching it.
 *
 * Nothing else belongs in it: the room server refuses any change that adds
 * another root, another kind of value, a path that breaks the rules or goes
 * past the limits below (collab/document/update-check.ts), and the page
 * skips whatever it could not show.
 */
export const FILES = "files";
export const FOLDERS = "folders";
export const RUN = "run";

/** What one room may hold, checked by the room server on every change and by the page before it makes one. */
export const ROOM_DOCUMENT_LIMITS = {
  /** Files at once: what one run takes. */
  files: MAX_FILES,
  /** Folders kept even when empty. */
  folders: 500,
  /** Folders a path may go down (a/b/c.py is two deep). */
  depth: 32,
  /** A file's key in the files map (the app uses UUIDs). */
  fileIdLength: 64,
} as const;

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

/** Every file with its current text, sorted by path (entries that are not files are skipped). */
export function listFiles(doc: Y.Doc): RoomFile[] {
  const out: RoomFile[] = [];
  filesOf(doc).forEach((entry, id) => {
    if (!(entry instanceof Y.Map)) return;
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

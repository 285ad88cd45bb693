import * as Y from "yjs";
import { addFile, filesOf, foldersOf, ROOM_DOCUMENT_LIMITS } from "../document";

/**
 * Restoring a snapshot is an ordinary edit of the room's document, made by
 * the browser of the member who restores (so the room server checks their
 * role and the document's rules as for any edit) and seen by everyone at
 * once: files created since are deleted, deleted ones come back, changed
 * ones get the snapshot's text. Runs in the browser; pure Yjs, so it is unit
 * tested in Node.
 *
 * A changed file keeps its id and its Y.Text (only the differing middle is
 * replaced), so editors showing it stay bound and cursors survive. Folders
 * are not part of a snapshot: empty folders stay, except one where the
 * snapshot has a file (at its path or below it, which would be a conflict).
 *
 * Everything happens in ONE transaction with `origin`, which the caller's
 * Y.UndoManager tracks, so "Undo restore" takes back exactly the restore.
 * Only if the room would pass its file limit while both old and new files
 * are counted (the room server counts what an update adds, not what it
 * deletes) do the deletions go first, in a transaction of the same origin.
 */
export interface RestoreSummary {
  added: number;
  removed: number;
  changed: number;
}

export function restoreFiles(doc: Y.Doc, files: ReadonlyArray<{ path: string; content: string }>, origin: unknown): RestoreSummary {
  const wanted = new Map(files.map((f) => [f.path, f.content]));
  // The file at each path (the first, should a document hold two), with its text.
  const live = new Map<string, { id: string; text: Y.Text }>();
  filesOf(doc).forEach((entry, id) => {
    const path = entry instanceof Y.Map ? entry.get("path") : undefined;
    const text = entry instanceof Y.Map ? entry.get("text") : undefined;
    if (typeof path === "string" && text instanceof Y.Text && !live.has(path)) live.set(path, { id, text });
  });
  const keep = new Set([...live].filter(([path]) => wanted.has(path)).map(([, f]) => f.id));
  const stale = [...filesOf(doc).keys()].filter((id) => !keep.has(id));
  const missing = [...wanted.keys()].filter((path) => !live.has(path));
  const summary: RestoreSummary = { added: 0, removed: 0, changed: 0 };

  const deleteStale = () => {
    for (const id of stale) filesOf(doc).delete(id);
    summary.removed = stale.length;
  };
  const split = filesOf(doc).size + missing.length > ROOM_DOCUMENT_LIMITS.files;
  if (split) doc.transact(deleteStale, origin);
  doc.transact(() => {
    if (!split) deleteStale();
    for (const [path, content] of wanted) {
      const text = live.get(path)?.text;
      if (text && replaceText(text, content)) summary.changed++;
    }
    const folders = foldersOf(doc);
    for (const folder of [...folders.keys()]) {
      if (wanted.has(folder) || [...wanted.keys()].some((p) => folder.startsWith(`${p}/`))) folders.delete(folder);
    }
    for (const path of missing) {
      addFile(doc, path, wanted.get(path)!);
      summary.added++;
    }
  }, origin);
  return summary;
}

/** Makes `text` read `content`, replacing only what lies between their common start and end; false when equal. */
function replaceText(text: Y.Text, content: string): boolean {
  const current = text.toString();
  if (current === content) return false;
  let start = 0;
  const max = Math.min(current.length, content.length);
  while (start < max && current.charCodeAt(start) === content.charCodeAt(start)) start++;
  let end = 0;
  while (end < max - start && current.charCodeAt(current.length - 1 - end) === content.charCodeAt(content.length - 1 - end)) end++;
  // Never split a surrogate pair: Yjs counts UTF-16 units, the document must stay whole characters.
  if (start > 0 && isHighSurrogate(current.charCodeAt(start - 1))) start--;
  if (end > 0 && isLowSurrogate(current.charCodeAt(current.length - end))) end--;
  const removed = current.length - start - end;
  if (removed > 0) text.delete(start, removed);
  const inserted = content.slice(start, content.length - end);
  if (inserted) text.insert(start, inserted);
  return true;
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * An UndoManager for one restore: it tracks only `origin` (the restore's
 * transactions) over the files and folders, so "Undo restore" takes back the
 * restore and nothing anyone typed before or after it.
 */
export function restoreUndoManager(doc: Y.Doc, origin: unknown): Y.UndoManager {
  return new Y.UndoManager([filesOf(doc), foldersOf(doc)], { trackedOrigins: new Set([origin]), captureTimeout: 60_000 });
}

import * as Y from "yjs";
import { addFile, filesOf, foldersOf, ROOM_DOCUMENT_LIMITS } from "../document";
import { newPathProblem } from "../tree";
import { ROOM_FILE_LIMITS, sizeText } from "./limits";
import { binaryReason, textOf } from "./text-files";

/**
 * Files uploaded into a room's tree (picked, or dropped: files and folders),
 * decided one by one before anything changes: each goes in, replaces a file
 * of the same path (if the person agrees), or is refused with the reason. The
 * rules are the tree's (lib/rooms/tree.ts: names, depth, at most
 * ROOM_DOCUMENT_LIMITS.files files) and ROOM_FILE_LIMITS (size, text only).
 */
export interface UploadCandidate {
  /** Where it goes in the room: the folder it is dropped on, plus its path inside what was picked. */
  path: string;
  size: number;
  /** Reads its bytes; called only for a file that passed the checks that need no bytes. */
  bytes(): Promise<Uint8Array>;
}

export interface Refusal {
  path: string;
  reason: string;
}

export interface UploadPlan {
  add: Array<{ path: string; content: string }>;
  /** Files whose path exists already: replaced only when the person says so. */
  replace: Array<{ path: string; id: string; content: string }>;
  refused: Refusal[];
}

export async function planUpload(doc: Y.Doc, candidates: UploadCandidate[]): Promise<UploadPlan> {
  const existing = new Map<string, string>();
  filesOf(doc).forEach((entry, id) => {
    const p = entry instanceof Y.Map ? entry.get("path") : undefined;
    if (typeof p === "string") existing.set(p, id);
  });
  const folders = new Set(foldersOf(doc).keys());
  for (const p of existing.keys()) for (const parent of parentsOf(p)) folders.add(parent);
  const plan: UploadPlan = { add: [], replace: [], refused: [] };
  const seen = new Set<string>();
  let files = existing.size;
  let total = 0;
  for (const c of candidates) {
    const refuse = (reason: string) => plan.refused.push({ path: c.path, reason });
    const problem = newPathProblem(c.path);
    if (problem) {
      refuse(`${c.path} has a name a room cannot hold: ${problem}`);
      continue;
    }
    if (seen.has(c.path)) {
      refuse(`${c.path} is in this upload twice`);
      continue;
    }
    seen.add(c.path);
    if (folders.has(c.path)) {
      refuse(`${c.path} is a folder in the room already`);
      continue;
    }
    const fileAsFolder = parentsOf(c.path).find((p) => existing.has(p));
    if (fileAsFolder) {
      refuse(`${c.path} cannot go in: ${fileAsFolder} is a file, not a folder`);
      continue;
    }
    if (c.size > ROOM_FILE_LIMITS.fileBytes) {
      refuse(`${c.path} is too large (${sizeText(c.size)}); a room file may be at most ${sizeText(ROOM_FILE_LIMITS.fileBytes)}`);
      continue;
    }
    const id = existing.get(c.path);
    if (id === undefined && files >= ROOM_DOCUMENT_LIMITS.files) {
      refuse(`${c.path} was not added: too many files (a room holds at most ${ROOM_DOCUMENT_LIMITS.files})`);
      continue;
    }
    if (total + c.size > ROOM_FILE_LIMITS.totalBytes) {
      refuse(`${c.path} was not added: one upload may bring at most ${sizeText(ROOM_FILE_LIMITS.totalBytes)}; upload the rest separately`);
      continue;
    }
    const content = textOf(await c.bytes());
    if (content === undefined) {
      refuse(binaryReason(c.path));
      continue;
    }
    total += c.size;
    if (id === undefined) {
      files++;
      plan.add.push({ path: c.path, content });
      for (const p of parentsOf(c.path)) folders.add(p);
    } else plan.replace.push({ path: c.path, id, content });
  }
  return plan;
}

/**
 * Makes the plan's changes in edits of at most ROOM_FILE_LIMITS.editBytes
 * (each a transaction, one message to the room server); a replaced file keeps
 * its id, so whoever has it open keeps it open, and its text is swapped in the
 * same edit, never left empty in between.
 */
export function applyUpload(doc: Y.Doc, plan: UploadPlan, replaceExisting: boolean): number {
  const changes: Array<{ path: string; content: string; id?: string }> = [...plan.add, ...(replaceExisting ? plan.replace : [])];
  const batches: Array<typeof changes> = [];
  let size = Infinity;
  for (const change of changes) {
    const bytes = new TextEncoder().encode(change.content).length;
    if (size + bytes > ROOM_FILE_LIMITS.editBytes) {
      batches.push([]);
      size = 0;
    }
    batches.at(-1)!.push(change);
    size += bytes;
  }
  for (const batch of batches) {
    doc.transact(() => {
      for (const change of batch) {
        const entry = change.id ? filesOf(doc).get(change.id) : undefined;
        const text = entry instanceof Y.Map ? entry.get("text") : undefined;
        if (text instanceof Y.Text) {
          text.delete(0, text.length);
          text.insert(0, change.content);
        } else addFile(doc, change.path, change.content);
      }
    });
  }
  return changes.length;
}

/** "a/b/c.py" -> ["a", "a/b"]. */
function parentsOf(path: string): string[] {
  const parts = path.split("/");
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join("/"));
}

import { ROOM_FILE_LIMITS } from "@/lib/rooms/archive/limits";
import type { UploadCandidate } from "@/lib/rooms/archive/upload-plan";

/**
 * What the person picked or dropped, as upload candidates placed under
 * `folder` (the folder dropped on; "" for the root). A picked folder's files
 * carry their path inside it (webkitRelativePath, which starts with the
 * folder's own name); a dropped folder is walked through the File and
 * Directory Entries API. Either way at most ROOM_FILE_LIMITS.scanFiles files
 * are looked at: a folder of 50,000 (node_modules) is not read through.
 */
export interface Collected {
  candidates: UploadCandidate[];
  /** More files than were looked at. */
  truncated: boolean;
}

const under = (folder: string, path: string) => (folder ? `${folder}/${path}` : path);

function candidate(path: string, file: File): UploadCandidate {
  return { path, size: file.size, bytes: async () => new Uint8Array(await file.arrayBuffer()) };
}

/** From an <input type="file"> (files, or a folder with webkitdirectory). */
export function fromFileList(files: FileList | File[], folder: string): Collected {
  const list = Array.from(files);
  const candidates = list.slice(0, ROOM_FILE_LIMITS.scanFiles).map((f) => candidate(under(folder, f.webkitRelativePath || f.name), f));
  return { candidates, truncated: list.length > ROOM_FILE_LIMITS.scanFiles };
}

/**
 * From a drop. The DataTransfer is readable only while the drop event is
 * handled, so its items are taken synchronously: a file as its File, a folder
 * as an entry walked afterwards.
 */
export function fromDrop(data: DataTransfer, folder: string): () => Promise<Collected> {
  const taken: Array<File | FileSystemEntry> = [];
  for (const item of Array.from(data.items)) {
    if (item.kind !== "file") continue;
    const entry = item.webkitGetAsEntry?.();
    const file = item.getAsFile();
    if (entry?.isDirectory) taken.push(entry);
    else if (file) taken.push(file);
  }
  return async () => {
    const out: Collected = { candidates: [], truncated: false };
    for (const t of taken) {
      if (t instanceof File) {
        if (out.candidates.length >= ROOM_FILE_LIMITS.scanFiles) out.truncated = true;
        else out.candidates.push(candidate(under(folder, t.name), t));
      } else await walk(t, folder, out);
    }
    return out;
  };
}

async function walk(entry: FileSystemEntry, folder: string, out: Collected): Promise<void> {
  if (out.candidates.length >= ROOM_FILE_LIMITS.scanFiles) {
    out.truncated = true;
    return;
  }
  const path = under(folder, entry.name);
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.candidates.push(candidate(path, file));
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries gives a batch at a time (100 in Chromium) until an empty one.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return;
    for (const child of batch) await walk(child, path, out);
    if (out.truncated) return;
  }
}

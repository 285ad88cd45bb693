import { createHash } from "node:crypto";
import type { RoomFile } from "../document";

/** One file as a snapshot keeps it: its path and text (ids are the live document's business). */
export interface SnapshotFile {
  path: string;
  content: string;
}

export interface SnapshotContent {
  files: SnapshotFile[];
  bytes: number;
  /** sha256 of the sorted files: equal content, equal hash. */
  hash: string;
}

/**
 * What a snapshot stores for some files: sorted by path (so the same files in
 * another order hash the same), their size in bytes (paths and contents,
 * UTF-8) for the room's quota, and their sha256.
 */
export function snapshotContent(files: ReadonlyArray<Pick<RoomFile, "path" | "content">>): SnapshotContent {
  const sorted = files.map((f) => ({ path: f.path, content: f.content })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const bytes = sorted.reduce((sum, f) => sum + Buffer.byteLength(f.path) + Buffer.byteLength(f.content), 0);
  const hash = createHash("sha256").update(JSON.stringify(sorted)).digest("hex");
  return { files: sorted, bytes, hash };
}

/** The files of a stored row, read defensively: a row is JSON, and anything not a {path, content} pair is left out. */
export function storedFiles(json: unknown): SnapshotFile[] {
  if (!Array.isArray(json)) return [];
  return json.filter(
    (f): f is SnapshotFile =>
      typeof f === "object" && f !== null && typeof (f as SnapshotFile).path === "string" && typeof (f as SnapshotFile).content === "string",
  );
}

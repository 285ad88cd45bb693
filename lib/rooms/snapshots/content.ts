import { createHash } from "node:crypto";
import type { RoomFile } from "../document";

/** One file as a snapshot keeps it: its path and text (ids are the live document's business). */
export interface SnapshotFile {
  path: string;
  content: string;
}

export interface SnapshotContent {
  files: SnapshotFile[];
  /** The size of the files' JSON (see snapshotContent). */
  bytes: number;
  /** sha256 of the sorted files: equal content, equal hash. */
  hash: string;
}

/**
 * What a snapshot stores for some files: sorted by path (so the same files in
 * another order hash the same), their size in bytes for the room's quota, and
 * their sha256.
 *
 * The size is that of the files' JSON, the form PostgreSQL hands the row back
 * in and the API serves it in, not the UTF-8 of the texts: a control
 * character is 1 byte of text but 6 of JSON ("\u0001"), so 14 MiB of them
 * counted as text made an 84 MiB answer, and a dozen reads at once took the
 * web process past 2 GB. Counted as JSON, the quota bounds what is served.
 */
export function snapshotContent(files: ReadonlyArray<Pick<RoomFile, "path" | "content">>): SnapshotContent {
  const sorted = files.map((f) => ({ path: f.path, content: f.content })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const json = JSON.stringify(sorted);
  return { files: sorted, bytes: Buffer.byteLength(json), hash: createHash("sha256").update(json).digest("hex") };
}

/** The files of a stored row, read defensively: a row is JSON, and anything not a {path, content} pair is left out. */
export function storedFiles(json: unknown): SnapshotFile[] {
  if (!Array.isArray(json)) return [];
  return json.filter(
    (f): f is SnapshotFile =>
      typeof f === "object" && f !== null && typeof (f as SnapshotFile).path === "string" && typeof (f as SnapshotFile).content === "string",
  );
}

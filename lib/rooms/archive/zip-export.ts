import { zipSync } from "fflate";
import type { RoomFile } from "../document";

/**
 * A room's files as a zip (GET /api/v1/rooms/:id/archive), inside one folder
 * named after the room, as a repository's zip is: unpacked, it makes one
 * folder, and importing it back strips that folder again. Bounded by what the
 * room may hold (SAM_COLLAB_MAX_DOCUMENT_KB), so it is built in memory.
 */
export function roomZip(roomName: string, files: RoomFile[]): { folder: string; bytes: Uint8Array } {
  const folder = folderName(roomName);
  const entries: Record<string, Uint8Array> = {};
  for (const f of files) entries[`${folder}/${f.path}`] = new TextEncoder().encode(f.content);
  return { folder, bytes: zipSync(entries, { level: 6, mtime: new Date() }) };
}

/** The room's name as a folder and file name any system takes: letters, digits, "-", "_" and ".". */
export function folderName(roomName: string): string {
  const name = roomName
    .normalize("NFKD")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+|-+$/g, "")
    .slice(0, 60);
  return name || "room";
}

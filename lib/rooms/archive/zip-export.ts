import { promisify } from "node:util";
import zlib from "node:zlib";
import { Zip, type ZipInputFile } from "fflate";
import type { RoomFile } from "../document";

const deflateRaw = promisify(zlib.deflateRaw);

/**
 * A room's files as a zip (GET /api/v1/rooms/:id/archive), inside one folder
 * named after the room, as a repository's zip is: unpacked, it makes one
 * folder, and importing it back strips that folder again. Bounded by what the
 * room may hold (SAM_COLLAB_MAX_DOCUMENT_KB), so it is built in memory.
 *
 * Each file is deflated by Node's zlib on its thread pool, never on the web
 * process's one JavaScript thread: fflate's zipSync compressed a full room
 * (16 MiB) in about a second of that thread, during which the web process
 * answered nobody, and any member could ask again and again
 * (tests/attacks/room-archive-hostile.test.ts). fflate only lays out the
 * headers around the deflated bytes.
 */
export async function roomZip(roomName: string, files: RoomFile[]): Promise<{ folder: string; bytes: Uint8Array }> {
  const folder = folderName(roomName);
  const chunks: Uint8Array[] = [];
  let failed: Error | null = null;
  const zip = new Zip((err, chunk) => {
    if (err) failed ??= err;
    else chunks.push(chunk);
  });
  const mtime = new Date();
  for (const f of files) {
    const data = Buffer.from(f.content, "utf8");
    const deflated = await deflateRaw(data, { level: 6 });
    const entry: ZipInputFile = { filename: `${folder}/${f.path}`, size: data.length, crc: zlib.crc32(data), compression: 8, mtime };
    zip.add(entry);
    entry.ondata!(null, new Uint8Array(deflated.buffer, deflated.byteOffset, deflated.byteLength), true);
  }
  zip.end();
  if (failed) throw failed;
  return { folder, bytes: Buffer.concat(chunks) };
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

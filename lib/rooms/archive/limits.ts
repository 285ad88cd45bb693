import { MAX_SOURCE_BYTES } from "../../executions/request";

/**
 * What files coming into a room may be, whether uploaded into the tree or
 * unpacked from a zip into a new room. A room's document holds text (each
 * file a Y.Text), and a run takes at most MAX_SOURCE_BYTES of files in all, so
 * a file past that could never run: it is refused. Uploads go to the room
 * server in edits of at most `editBytes` (its messages are capped at
 * SAM_COLLAB_MAX_MESSAGE_KB, 2 MiB by default), and one upload or one zip
 * brings at most `totalBytes` (a room's document may hold 16 MiB by default:
 * SAM_COLLAB_MAX_DOCUMENT_KB).
 */
export const ROOM_FILE_LIMITS = {
  /** One file's bytes (1 MiB): what one run may take in all. */
  fileBytes: MAX_SOURCE_BYTES,
  /** One upload's, or one zip's, text in all. */
  totalBytes: 4 * 1024 * 1024,
  /** Content per edit sent to the room server. */
  editBytes: 1024 * 1024,
  /** Files looked at in one dropped or picked folder before the rest is refused unread. */
  scanFiles: 1000,
} as const;

/** What POST /api/v1/rooms/import reads of a zip, beside ROOM_FILE_LIMITS. */
export const ROOM_ZIP_LIMITS = {
  /** The zip as uploaded. */
  zipBytes: 8 * 1024 * 1024,
  /** Entries in its directory (folders and files that are skipped count). */
  entries: 2000,
  /** Bytes inflated in all, binary files included (they are read to tell that they are binary). */
  inflatedBytes: 16 * 1024 * 1024,
} as const;

export const MIB = 1024 * 1024;

export function sizeText(bytes: number): string {
  return bytes >= MIB ? `${(bytes / MIB).toFixed(1)} MiB` : bytes >= 1024 ? `${Math.ceil(bytes / 1024)} KiB` : `${bytes} bytes`;
}

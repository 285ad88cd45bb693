import type { Logger } from "pino";
import type { Database } from "../db/client";
import { decodeDocument, listFiles, type RoomFile } from "./document";
import { signServiceToken } from "./room-token";

/**
 * A room's files as everyone in it sees them now. The collab service holds
 * the live document of every open room, so it is asked first; when it cannot
 * answer (no room open there, or it is down) the stored document is the
 * latest there is.
 */
export async function currentRoomFiles(
  opts: { db: Database; secret: string; collabUrl: string; log: Logger },
  roomId: string,
): Promise<RoomFile[]> {
  try {
    const res = await fetch(`${opts.collabUrl}/internal/rooms/${roomId}/files`, {
      headers: { authorization: `Bearer ${await signServiceToken(opts.secret, "web")}` },
      signal: AbortSignal.timeout(3000),
    });
    if (res.ok) return ((await res.json()) as { files: RoomFile[] }).files;
    if (res.status !== 404) opts.log.warn({ roomId, status: res.status }, "collab could not give the room's files; using the stored document");
  } catch (err) {
    opts.log.warn({ roomId, err: (err as Error).message }, "collab unreachable; using the stored document");
  }
  const stored = await opts.db.roomDocument.findUnique({ where: { roomId } });
  if (!stored) return [];
  const doc = decodeDocument(stored.state);
  const files = listFiles(doc);
  doc.destroy();
  return files;
}

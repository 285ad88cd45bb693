import * as Y from "yjs";
import type { Database } from "../../db/client";
import { ApiError } from "../../http/errors";
import { lockOwner } from "../caps";
import { addFile, foldersOf } from "../document";
import type { RoomSummary } from "../rooms";
import type { ZipImport } from "./zip-import";

/**
 * A new room holding an imported zip's files, owned by the caller: the same
 * rules as POST /api/v1/rooms (409 too_many_rooms past the caller's cap), with
 * the zip's files and folders as its first document instead of a template.
 */
export async function createImportedRoom(
  db: Database,
  ownerId: string,
  room: { name: string; language: string },
  content: Pick<ZipImport, "files" | "folders">,
  maxOwned: number,
): Promise<RoomSummary> {
  const state = Buffer.from(importedDocument(content));
  const created = await db.$transaction(async (tx) => {
    await lockOwner(tx, ownerId);
    const owned = await tx.roomMember.count({ where: { userId: ownerId, role: "owner" } });
    if (owned >= maxOwned) {
      throw new ApiError(409, "too_many_rooms", `You own ${owned} rooms, the most allowed at once; delete one you no longer need, then try again.`);
    }
    return tx.room.create({
      data: { name: room.name, language: room.language, members: { create: { userId: ownerId, role: "owner" } }, document: { create: { state } } },
    });
  });
  return { ...created, role: "owner", members: 1 };
}

function importedDocument(content: Pick<ZipImport, "files" | "folders">): Uint8Array {
  const doc = new Y.Doc();
  doc.transact(() => {
    for (const f of content.files) addFile(doc, f.path, f.content);
    for (const folder of content.folders) foldersOf(doc).set(folder, true);
  });
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}

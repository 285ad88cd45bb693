import { describe, expect, inject, it } from "vitest";
import type * as Y from "yjs";
import { CLOSE } from "../../lib/rooms/close-codes";
import { addFile, listFiles, ROOM_DOCUMENT_LIMITS } from "../../lib/rooms/document";
import { authenticatedRawSocket, changeOf, connectRoom, roomToken, roomWithMembers, storedCopy } from "../support/rooms";

/**
 * Uploading files into a room (app/_components/room/FileTree.tsx and files/)
 * checks names, counts and sizes in the browser, but an editor can skip the
 * page and write to the room socket. The room server (collab/document/
 * update-check.ts, document-budget.ts) is the boundary: what it must refuse,
 * sent as a modified client would.
 */
async function attack(change: (doc: Y.Doc) => void) {
  const { roomId, owner, editor } = await roomWithMembers();
  const watcher = connectRoom(roomId, () => roomToken(roomId, owner), { direct: true });
  try {
    await watcher.synced;
    const copy = storedCopy((await import("yjs")).encodeStateAsUpdate(watcher.doc));
    const attacker = await authenticatedRawSocket(inject("collabUrl"), roomId, await roomToken(roomId, editor));
    const verdict = await attacker.sendUpdate(changeOf(copy, change));
    attacker.ws.close();
    return { verdict, files: listFiles(watcher.doc).map((f) => f.path) };
  } finally {
    watcher.destroy();
  }
}

describe("attack: an upload sent straight to the room socket", () => {
  it.each([
    ["a name that shows as another (bidirectional override)", "invoice\u202Etxt.py"],
    ["a name with a line break", "a\nb.py"],
    ["a name with a terminal escape", "\u001b[31mred.py"],
    ["a name that climbs", "../up.py"],
  ])("refuses %s, and keeps nothing of it", async (_what, name) => {
    const { verdict, files } = await attack((doc) => addFile(doc, name, "print(1)\n"));
    expect(verdict).toEqual(CLOSE.documentRefused);
    expect(files).toEqual(["main.py"]);
  });

  it("refuses more files than a room holds, in one upload", async () => {
    const { verdict, files } = await attack((doc) =>
      doc.transact(() => {
        for (let i = 0; i < ROOM_DOCUMENT_LIMITS.files; i++) addFile(doc, `up${i}.py`, "");
      }),
    );
    expect(verdict).toEqual(CLOSE.documentRefused);
    expect(files).toEqual(["main.py"]);
  });
});

import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import * as Y from "yjs";
import { CLOSE } from "../../lib/rooms/close-codes";
import { addFile, filesOf, foldersOf, listFiles, ROOM_DOCUMENT_LIMITS } from "../../lib/rooms/document";
import { authenticatedRawSocket, changeOf, connectRoom, eventually, roomToken, roomWithMembers, storedCopy, updateMessage } from "../support/rooms";

/**
 * The room server takes only what a room's document holds (attack-web F1,
 * F8): files (maps of a string path and a text) and folders. It accepted
 * anything: one editor's 10 KB path broke every member's page for good, and
 * nested types anywhere made a document cost 75 bytes of heap per byte. Each
 * change below comes from a modified client of an editor, on a copy of the
 * room as the server has it; each is refused (the socket closed with the
 * reason) and nothing of it is kept, while good edits go on.
 */
const pool = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
afterAll(() => pool.end());

async function storedDoc(roomId: string): Promise<Y.Doc> {
  const { rows } = await pool.query<{ state: Buffer }>('SELECT state FROM "RoomDocument" WHERE "roomId" = $1', [roomId]);
  return storedCopy(new Uint8Array(rows[0]!.state));
}

const entryOf = (doc: Y.Doc) => [...filesOf(doc).values()][0]!;

const REFUSED: Array<[string, (doc: Y.Doc) => void]> = [
  ["a path 5,000 folders deep (10 KB)", (doc) => addFile(doc, `${"d/".repeat(5000)}x.py`, "print(1)")],
  ["a path deeper than the limit", (doc) => addFile(doc, `${"d/".repeat(ROOM_DOCUMENT_LIMITS.depth + 1)}x.py`, "")],
  ["a path with ..", (doc) => addFile(doc, "../escape.py", "")],
  ["a renamed path that is not a string", (doc) => entryOf(doc).set("path", 42 as never)],
  ["another root type", (doc) => doc.getArray("junk").insert(0, [new Y.Map()])],
  ["a nested type in a file entry", (doc) => entryOf(doc).set("extra", new Y.Map())],
  ["a map where a file's text belongs", (doc) => entryOf(doc).set("text", new Y.Map() as never)],
  ["formatting in a file's text", (doc) => (entryOf(doc).get("text") as Y.Text).format(0, 1, { bold: true })],
  ["a file entry that is not a map", (doc) => filesOf(doc).set("not-a-map", "hello" as never)],
  ["a folder whose value is not true", (doc) => foldersOf(doc).set("src", { evil: true } as never)],
  ["a folder with a bad path", (doc) => foldersOf(doc).set("/abs", true)],
  [
    "more files than a room holds",
    (doc) =>
      doc.transact(() => {
        for (let i = 0; i <= ROOM_DOCUMENT_LIMITS.files; i++) addFile(doc, `f${i}.py`, "");
      }),
  ],
];

describe("the room's document takes only what a room holds", () => {
  it.each(REFUSED)("refuses %s, keeps nothing of it, and good edits go on", async (_what, change) => {
    const { roomId, owner, editor } = await roomWithMembers();
    const watcher = connectRoom(roomId, () => roomToken(roomId, owner), { direct: true });
    try {
      await watcher.synced;
      const copy = storedCopy(Y.encodeStateAsUpdate(watcher.doc));
      const attacker = await authenticatedRawSocket(inject("collabUrl"), roomId, await roomToken(roomId, editor));
      expect(await attacker.sendUpdate(changeOf(copy, change))).toEqual(CLOSE.documentRefused);
      // A good edit after it is taken and reaches everyone.
      (entryOf(watcher.doc).get("text") as Y.Text).insert(0, "# still editable\n");
      const reader = connectRoom(roomId, () => roomToken(roomId, editor), { direct: true });
      try {
        await reader.synced;
        await eventually("the good edit to reach another member", () => listFiles(reader.doc)[0]?.content.startsWith("# still editable") ?? false);
        expect(listFiles(reader.doc).map((f) => f.path)).toEqual(["main.py"]);
        expect([...reader.doc.share.keys()].sort()).toEqual(["files"]);
        expect(reader.doc.getMap("folders").size).toBe(0);
      } finally {
        reader.destroy();
      }
    } finally {
      watcher.destroy();
    }
    await new Promise((r) => setTimeout(r, 800));
    const stored = await storedDoc(roomId);
    expect(listFiles(stored).map((f) => f.path)).toEqual(["main.py"]);
    expect([...stored.share.keys()].filter((k) => k !== "files" && k !== "folders")).toEqual([]);
  });

  it("an update that depends on edits the server has not seen waits for them; only a little may wait", async () => {
    const { roomId, owner } = await roomWithMembers();
    const token = () => roomToken(roomId, owner);
    const watcher = connectRoom(roomId, token, { direct: true });
    try {
      await watcher.synced;
      // A client back from offline: what it types now builds on its offline edits, which it sends a round trip later.
      const offline = storedCopy(Y.encodeStateAsUpdate(watcher.doc));
      const text = entryOf(offline).get("text") as Y.Text;
      const first = changeOf(offline, () => text.insert(0, "first;"));
      const second = changeOf(offline, () => text.insert(6, "second;"));
      const client = await authenticatedRawSocket(inject("collabUrl"), roomId, await token());
      client.ws.send(updateMessage(roomId, second));
      client.ws.send(updateMessage(roomId, first));
      await eventually("both edits to reach the other member, in order", () => listFiles(watcher.doc)[0]!.content.startsWith("first;second;"));
      client.ws.close();

      // An attacker's updates that build on edits it never sends: a little waits, then the socket is closed.
      const never = storedCopy(Y.encodeStateAsUpdate(watcher.doc));
      const neverText = entryOf(never).get("text") as Y.Text;
      changeOf(never, () => neverText.insert(0, "withheld;"));
      const attacker = await authenticatedRawSocket(inject("collabUrl"), roomId, await token());
      for (let i = 0; i < 20; i++)
        attacker.ws.send(
          updateMessage(
            roomId,
            changeOf(never, () => neverText.insert(0, "x".repeat(32 * 1024))),
          ),
        );
      expect(await attacker.closed).toEqual(CLOSE.missingEdits);
      expect(listFiles(watcher.doc)[0]!.content).not.toContain("withheld;");
      expect(listFiles(watcher.doc)[0]!.content).not.toContain("xxxx");
    } finally {
      watcher.destroy();
    }
  });
});

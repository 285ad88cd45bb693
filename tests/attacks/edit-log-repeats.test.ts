import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import * as Y from "yjs";
import { filesOf } from "../../lib/rooms/document";
import { api, registerUser } from "../support/api";
import { authenticatedRawSocket, changeOf, eventually, roomToken, storedCopy, type TestUser } from "../support/rooms";

/**
 * The room edit log (collab/extensions/durable-edits.ts) writes every update
 * a member sends to RoomUpdate before it is applied, and a store deletes the
 * rows its document holds. But an update the document already holds (the same
 * edit sent again, or a deletion of what is deleted) changes nothing: no store
 * follows, so its rows were never compacted. A member (of their own room)
 * could resend one 2 MiB update as fast as the socket acknowledged it: the
 * table grew without bound (the disk of the whole deployment), and the room's
 * next load read every row into the collab process's memory at once.
 */
const pool = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
afterAll(() => pool.end());

async function rowsOf(roomId: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM "RoomUpdate" WHERE "roomId" = $1', [roomId]);
  return Number(rows[0]!.n);
}

async function roomOf(owner: TestUser): Promise<{ roomId: string; doc: Y.Doc }> {
  const created = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "Repeats", language: "python" } });
  expect(created.status).toBe(201);
  const roomId = created.json.id as string;
  const { rows } = await pool.query<{ state: Buffer }>('SELECT state FROM "RoomDocument" WHERE "roomId" = $1', [roomId]);
  return { roomId, doc: storedCopy(rows[0]!.state) };
}

describe("attack: repeated edits in the room edit log", () => {
  it("an update the room already holds, sent again and again, adds no rows to the log", async () => {
    const owner = await registerUser();
    const { roomId, doc } = await roomOf(owner);
    const text = [...filesOf(doc).values()][0]!.get("text") as Y.Text;
    const insert = changeOf(doc, () => text.insert(0, "x".repeat(64 * 1024)));
    const remove = changeOf(doc, () => text.delete(0, 1024));

    const socket = await authenticatedRawSocket(inject("collabUrl"), roomId, await roomToken(roomId, owner));
    try {
      expect(await socket.sendUpdate(insert)).toBe("applied");
      expect(await socket.sendUpdate(remove)).toBe("applied");
      // Real changes: the debounced store folds their rows into the stored document.
      await eventually("the log is compacted after the store", async () => (await rowsOf(roomId)) === 0, 20_000);

      // The same insert again, and the same deletion again: each is acknowledged, and changes nothing.
      for (let i = 0; i < 30; i++) {
        expect(await socket.sendUpdate(insert)).toBe("applied");
        expect(await socket.sendUpdate(remove)).toBe("applied");
      }
      expect(await rowsOf(roomId)).toBe(0);
    } finally {
      socket.ws.terminate();
    }
  });

  it("a real edit after the repeats is still logged before it is acknowledged", async () => {
    const owner = await registerUser();
    const { roomId, doc } = await roomOf(owner);
    const text = [...filesOf(doc).values()][0]!.get("text") as Y.Text;
    const first = changeOf(doc, () => text.insert(0, "a"));
    const socket = await authenticatedRawSocket(inject("collabUrl"), roomId, await roomToken(roomId, owner));
    try {
      expect(await socket.sendUpdate(first)).toBe("applied");
      expect(await socket.sendUpdate(first)).toBe("applied");
      const second = changeOf(doc, () => text.insert(1, "b"));
      expect(await socket.sendUpdate(second)).toBe("applied");
      // Acknowledged, so logged (unless a store already folded it in): the log or the stored document holds it.
      const { rows } = await pool.query<{ update: Buffer }>('SELECT "update" FROM "RoomUpdate" WHERE "roomId" = $1', [roomId]);
      const stored = await pool.query<{ state: Buffer }>('SELECT state FROM "RoomDocument" WHERE "roomId" = $1', [roomId]);
      const durable = storedCopy(stored.rows[0]!.state);
      for (const row of rows) Y.applyUpdate(durable, row.update);
      const durableText = [...filesOf(durable).values()][0]!.get("text") as Y.Text;
      expect(durableText.toString().startsWith("ab")).toBe(true);
    } finally {
      socket.ws.terminate();
    }
  });
});

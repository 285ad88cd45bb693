import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import * as Y from "yjs";
import { filesOf } from "../../lib/rooms/document";
import { api, registerUser } from "../support/api";
import { authenticatedRawSocket, changeOf, roomToken, storedCopy, type TestUser } from "../support/rooms";

/**
 * The room edit log group-commits: the edits of every room of a collab
 * process that arrive while one INSERT is in flight go together in the next
 * (collab/document/update-log.ts). A row PostgreSQL refuses (its room deleted
 * in the moment between the room's deletion and its sockets' closing) failed
 * the whole INSERT, and every socket whose edit shared it was closed (4507)
 * and had to reconnect: an account that deletes rooms while its sockets keep
 * sending edits to them cut other rooms' members off, again and again.
 *
 * The window is made certain here: the attacker's room is deleted in the
 * database (no announcement closes its sockets), and a table lock held by the
 * test keeps one INSERT in flight while the next batch gathers.
 */
const pool = new pg.Pool({ connectionString: inject("databaseUrl"), max: 3 });
afterAll(() => pool.end());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function roomOf(owner: TestUser): Promise<{ roomId: string; text: Y.Text; doc: Y.Doc }> {
  const created = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "Shared insert", language: "python" } });
  expect(created.status).toBe(201);
  const roomId = created.json.id as string;
  const { rows } = await pool.query<{ state: Buffer }>('SELECT state FROM "RoomDocument" WHERE "roomId" = $1', [roomId]);
  const doc = storedCopy(rows[0]!.state);
  return { roomId, doc, text: [...filesOf(doc).values()][0]!.get("text") as Y.Text };
}

describe("attack: one refused row in the edit log's shared INSERT", () => {
  it("an edit to a deleted room does not close the sockets of other rooms' edits logged with it", async () => {
    const [victim, attacker] = await Promise.all([registerUser(), registerUser()]);
    const room = await roomOf(victim);
    const gone = await roomOf(attacker);
    const alsoGone = await roomOf(attacker);
    const victimSocket = await authenticatedRawSocket(inject("collabUrl"), room.roomId, await roomToken(room.roomId, victim));
    const first = await authenticatedRawSocket(inject("collabUrl"), gone.roomId, await roomToken(gone.roomId, attacker));
    const second = await authenticatedRawSocket(inject("collabUrl"), alsoGone.roomId, await roomToken(alsoGone.roomId, attacker));
    const lock = await pool.connect();
    try {
      await pool.query('DELETE FROM "Room" WHERE id = ANY($1::uuid[])', [[gone.roomId, alsoGone.roomId]]);
      await lock.query("BEGIN");
      await lock.query('LOCK TABLE "RoomUpdate" IN SHARE MODE');
      // In flight, held by the lock: what comes next gathers into the next INSERT.
      const held = first.sendUpdate(changeOf(gone.doc, () => gone.text.insert(0, "a")));
      await sleep(500);
      const victimEdit = victimSocket.sendUpdate(changeOf(room.doc, () => room.text.insert(0, "mine")));
      const attackerEdit = second.sendUpdate(changeOf(alsoGone.doc, () => alsoGone.text.insert(0, "b")));
      await sleep(500);
      await lock.query("COMMIT");

      expect(await held).not.toBe("applied");
      expect(await attackerEdit).not.toBe("applied");
      expect(await victimEdit).toBe("applied");
      // Logged before it was acknowledged: the stored document and the log hold it.
      const { rows } = await pool.query<{ update: Buffer }>('SELECT "update" FROM "RoomUpdate" WHERE "roomId" = $1 ORDER BY id', [room.roomId]);
      const stored = await pool.query<{ state: Buffer }>('SELECT state FROM "RoomDocument" WHERE "roomId" = $1', [room.roomId]);
      const durable = storedCopy(stored.rows[0]!.state);
      for (const row of rows) Y.applyUpdate(durable, row.update);
      expect(([...filesOf(durable).values()][0]!.get("text") as Y.Text).toString().startsWith("mine")).toBe(true);
    } finally {
      await lock.query("ROLLBACK").catch(() => undefined);
      lock.release();
      for (const s of [victimSocket, first, second]) s.ws.terminate();
    }
  });
});

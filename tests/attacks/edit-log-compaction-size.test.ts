import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import * as Y from "yjs";
import { filesOf } from "../../lib/rooms/document";
import { api, registerUser } from "../support/api";
import { authenticatedRawSocket, changeOf, eventually, roomToken, storedCopy } from "../support/rooms";

/**
 * Attack: a room's edit log too long to compact in one statement. A store
 * deleted every row its document held with one DELETE naming each row's id,
 * one bind parameter per row, and PostgreSQL's protocol takes at most 65,535:
 * once a room had more rows than that (edits typed from many sockets faster
 * than stores came, or rows left by compactions that failed while the
 * database was slow), every compaction failed, and the log of that room grew
 * for good, every row read again at each store and each load.
 *
 * The rows are written here directly (each holds only what the stored
 * document holds), then one real edit makes the room store.
 */
const pool = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
afterAll(() => pool.end());
const ROWS = 70_000;

const rowsOf = async (roomId: string) =>
  Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM "RoomUpdate" WHERE "roomId" = $1', [roomId])).rows[0]!.n);

describe("attack: an edit log longer than one statement's parameters", () => {
  it("is compacted by the next store", async () => {
    const owner = await registerUser();
    const created = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "Long log", language: "python" } });
    expect(created.status).toBe(201);
    const roomId = created.json.id as string;
    const state = (await pool.query<{ state: Buffer }>('SELECT state FROM "RoomDocument" WHERE "roomId" = $1', [roomId])).rows[0]!.state;
    await pool.query('INSERT INTO "RoomUpdate" ("roomId", "update") SELECT $1::uuid, $2::bytea FROM generate_series(1, $3::int)', [roomId, state, ROWS]);
    expect(await rowsOf(roomId)).toBe(ROWS);

    const doc = storedCopy(state);
    const text = [...filesOf(doc).values()][0]!.get("text") as Y.Text;
    const socket = await authenticatedRawSocket(inject("collabUrl"), roomId, await roomToken(roomId, owner));
    try {
      expect(await socket.sendUpdate(changeOf(doc, () => text.insert(0, "a")))).toBe("applied");
      await eventually("the store to compact the log", async () => (await rowsOf(roomId)) === 0, 60_000);
    } finally {
      socket.ws.terminate();
    }
  });
});

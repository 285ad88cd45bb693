import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { addFile, decodeDocument, listFiles } from "../../lib/rooms/document";
import { api, registerUser } from "../support/api";
import { connectRoom, eventually, roomToken } from "../support/rooms";
import { startWeb } from "../support/shared-backing";
import type { RunningService } from "../support/stack";

/**
 * Attack (attack-web F6): refused room runs are free and expensive. Each
 * POST /rooms/:id/runs makes collab serialize the room's whole live document
 * and the web process parse it; a request then refused (413 files too large,
 * 429 too many active runs) was never counted against the run rate, so an
 * editor could make the server do that without limit. Now the run is counted
 * before the files are read.
 */
const RUNS_PER_MINUTE = 3;
let web: RunningService;
const pool = new pg.Pool({ connectionString: inject("databaseUrl"), max: 1 });
beforeAll(async () => {
  web = await startWeb({ SAM_RUNS_PER_MINUTE: String(RUNS_PER_MINUTE) });
});
afterAll(async () => {
  await web?.stop();
  await pool.end();
});

describe("room runs refused after reading the room", () => {
  it("count against the run rate: files too large get 413 until the rate is spent, then 429", async () => {
    const owner = await registerUser();
    const room = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "Too big to run", language: "python" } });
    const roomId = room.json.id as string;
    // Two files of 600 KB: each fine to edit, together over a run's 1 MiB of source.
    const client = connectRoom(roomId, () => roomToken(roomId, owner));
    await client.synced;
    addFile(client.doc, "a.txt", "a".repeat(600 * 1024));
    addFile(client.doc, "b.txt", "b".repeat(600 * 1024));
    await eventually("the room to store the big files", async () => {
      const { rows } = await pool.query<{ state: Buffer }>('SELECT state FROM "RoomDocument" WHERE "roomId" = $1', [roomId]);
      return listFiles(decodeDocument(new Uint8Array(rows[0]!.state))).length === 3;
    });
    const statuses: Array<[number, string]> = [];
    for (let i = 0; i < RUNS_PER_MINUTE + 3; i++) {
      const res = await api("POST", `/api/v1/rooms/${roomId}/runs`, { token: owner.token, body: {}, base: web.url });
      statuses.push([res.status, res.json.error.code]);
    }
    client.destroy();
    expect(statuses.slice(0, RUNS_PER_MINUTE)).toEqual(Array(RUNS_PER_MINUTE).fill([413, "source_too_large"]));
    expect(statuses.slice(RUNS_PER_MINUTE)).toEqual(Array(3).fill([429, "rate_limited"]));
  });
});

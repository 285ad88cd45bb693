import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import * as Y from "yjs";
import { filesOf } from "../../lib/rooms/document";
import { api, registerUser } from "../support/api";
import { authenticatedRawSocket, roomToken, roomWithMembers, storedCopy } from "../support/rooms";
import { startService, type Backing, type RunningService } from "../support/stack";

/**
 * Attack: updates that repeat the whole room with one new character each.
 * The edit log keeps each update as sent (durable-edits.ts), until the next
 * store compacts it; the room's budget counted only what each update changed
 * (one character). A member sending the room's full state plus one character,
 * again and again from 20 sockets (2 MiB each), wrote gigabytes of log rows
 * between two stores (up to 10 s apart), and the store's compaction, like
 * the room's next load, read them all into the collab process at once. The
 * log between two stores is now bounded by twice the room's size limit.
 *
 * A collab process of this file's own: rooms of 512 KiB, stores a minute apart.
 */
const backing: Backing = { dataDir: inject("dataDir"), databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl"), stop: async () => undefined };
const pool = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
const MAX_KB = 512;
let collab: RunningService;

beforeAll(async () => {
  collab = await startService("collab/main.ts", backing, { SAM_COLLAB_MAX_DOCUMENT_KB: String(MAX_KB), SAM_COLLAB_STORE_DEBOUNCE_MS: "60000" });
});
afterAll(async () => {
  await collab?.stop();
  await pool.end();
});

describe("attack: full states with one new character each", () => {
  it("cannot make the room's edit log outgrow twice the room's size between two stores", async () => {
    const owner = await registerUser();
    const created = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "Full states", language: "python" } });
    expect(created.status).toBe(201);
    const roomId = created.json.id as string;
    const state = (await pool.query<{ state: Buffer }>('SELECT state FROM "RoomDocument" WHERE "roomId" = $1', [roomId])).rows[0]!.state;
    const doc = storedCopy(state);
    const text = [...filesOf(doc).values()][0]!.get("text") as Y.Text;
    text.insert(0, "x".repeat(150 * 1024));
    const socket = await authenticatedRawSocket(collab.url, roomId, await roomToken(roomId, owner));
    try {
      let applied = 0;
      for (let i = 0; i < 20; i++) {
        text.insert(0, "y");
        const answer = await socket.sendUpdate(Y.encodeStateAsUpdate(doc));
        if (answer !== "applied") break;
        applied += 1;
      }
      const { rows } = await pool.query<{ bytes: string | null }>('SELECT sum(octet_length("update")) AS bytes FROM "RoomUpdate" WHERE "roomId" = $1', [
        roomId,
      ]);
      expect(applied).toBeGreaterThan(0);
      expect(Number(rows[0]!.bytes ?? 0)).toBeLessThanOrEqual(2 * MAX_KB * 1024);
    } finally {
      socket.ws.terminate();
    }
  });

  it("counts only what is logged: a viewer's refused updates do not use up the room's allowance", async () => {
    const { roomId, owner, viewer } = await roomWithMembers();
    const state = (await pool.query<{ state: Buffer }>('SELECT state FROM "RoomDocument" WHERE "roomId" = $1', [roomId])).rows[0]!.state;
    const doc = storedCopy(state);
    const text = [...filesOf(doc).values()][0]!.get("text") as Y.Text;
    const big = new Y.Doc();
    Y.applyUpdate(big, state);
    ([...filesOf(big).values()][0]!.get("text") as Y.Text).insert(0, "v".repeat(100 * 1024));
    const fromViewer = Y.encodeStateAsUpdate(big);
    const viewerSocket = await authenticatedRawSocket(collab.url, roomId, await roomToken(roomId, viewer));
    const ownerSocket = await authenticatedRawSocket(collab.url, roomId, await roomToken(roomId, owner));
    try {
      // Read-only: Hocuspocus refuses each (it answers with a sync status all the same), nothing is logged.
      let refused = 0;
      for (let i = 0; i < 12; i++) if ((await viewerSocket.sendUpdate(fromViewer)) !== "applied") refused += 1;
      expect(refused).toBe(0);
      text.insert(0, "o".repeat(150 * 1024));
      expect(await ownerSocket.sendUpdate(Y.encodeStateAsUpdate(doc, Y.encodeStateVector(storedCopy(state))))).toBe("applied");
    } finally {
      viewerSocket.ws.terminate();
      ownerSocket.ws.terminate();
    }
  });
});

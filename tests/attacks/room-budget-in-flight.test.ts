import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import * as Y from "yjs";
import { FILES, filesOf, ROOM_DOCUMENT_LIMITS } from "../../lib/rooms/document";
import { api, registerUser } from "../support/api";
import { authenticatedRawSocket, changeOf, roomToken, storedCopy, type AuthenticatedRawSocket } from "../support/rooms";
import { startService, type Backing, type RunningService } from "../support/stack";

/**
 * Attack: many sockets' updates in flight at once, past a room's budget.
 * Each update is judged against the room's document as it is (update-check,
 * document-budget), and the next update of the same socket waits until it
 * has applied. But since every edit is logged before it applies
 * (durable-edits.ts), an update spends a database round trip between being
 * judged and being applied, and the updates of other sockets arriving
 * meanwhile were all judged against the same document: each fit the room's
 * item limit alone, together they passed it many times over. One account has
 * 20 sockets, each may send 2 MiB of one-character items (~200 bytes of heap
 * each): the limits that keep a collab process alive were void. Updates in
 * flight now count against the budget until they have applied.
 *
 * A collab process of this file's own with a small item limit; a table lock
 * held by the test keeps the edits' log writes (so the updates) in flight.
 */
const backing: Backing = { dataDir: inject("dataDir"), databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl"), stop: async () => undefined };
const pool = new pg.Pool({ connectionString: inject("databaseUrl"), max: 3 });
const MAX_ITEMS = 3000;
const PER_UPDATE = 1000;
const SOCKETS = 6;
let collab: RunningService;

beforeAll(async () => {
  collab = await startService("collab/main.ts", backing, { SAM_COLLAB_MAX_DOCUMENT_ITEMS: String(MAX_ITEMS), SAM_COLLAB_STORE_DEBOUNCE_MS: "300" });
});
afterAll(async () => {
  await collab?.stop();
  await pool.end();
});

const structsOf = (doc: Y.Doc) => [...doc.store.clients.values()].reduce((n, structs) => n + structs.length, 0);

/** What the room holds durably: its stored document and its logged edits. */
async function durableCopy(roomId: string): Promise<Y.Doc> {
  const stored = await pool.query<{ state: Buffer }>('SELECT state FROM "RoomDocument" WHERE "roomId" = $1', [roomId]);
  const doc = storedCopy(stored.rows[0]!.state);
  const { rows } = await pool.query<{ update: Buffer }>('SELECT "update" FROM "RoomUpdate" WHERE "roomId" = $1 ORDER BY id', [roomId]);
  for (const row of rows) Y.applyUpdate(doc, row.update);
  return doc;
}

describe("attack: updates in flight together, past the room's budget", () => {
  it("updates judged while others are still being logged cannot together pass the room's item limit", async () => {
    const owner = await registerUser();
    const created = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "In flight", language: "python" } });
    expect(created.status).toBe(201);
    const roomId = created.json.id as string;
    const state = (await pool.query<{ state: Buffer }>('SELECT state FROM "RoomDocument" WHERE "roomId" = $1', [roomId])).rows[0]!.state;
    // Each from a client of its own (a tab of its own): none depends on another.
    const updates = Array.from({ length: SOCKETS }, () => {
      const doc = storedCopy(state);
      const text = [...filesOf(doc).values()][0]!.get("text") as Y.Text;
      return changeOf(doc, (d) =>
        d.transact(() => {
          for (let i = 0; i < PER_UPDATE; i++) text.insert(0, "x");
        }),
      );
    });
    const sockets: AuthenticatedRawSocket[] = [];
    for (let i = 0; i < SOCKETS; i++) sockets.push(await authenticatedRawSocket(collab.url, roomId, await roomToken(roomId, owner)));
    const lock = await pool.connect();
    try {
      await lock.query("BEGIN");
      await lock.query('LOCK TABLE "RoomUpdate" IN SHARE MODE');
      const answers = sockets.map((socket, i) => socket.sendUpdate(updates[i]!));
      await new Promise((r) => setTimeout(r, 1000));
      await lock.query("COMMIT");
      const settled = await Promise.all(answers);
      const applied = settled.filter((a) => a === "applied").length;
      // The limit let some in, not all.
      expect(applied).toBeGreaterThan(0);
      expect(applied).toBeLessThan(SOCKETS);
      expect(structsOf(await durableCopy(roomId))).toBeLessThanOrEqual(MAX_ITEMS);
    } finally {
      await lock.query("ROLLBACK").catch(() => undefined);
      lock.release();
      for (const s of sockets) s.ws.terminate();
    }
  });

  it("nor the room's file limit", async () => {
    const owner = await registerUser();
    const created = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "In flight files", language: "python" } });
    expect(created.status).toBe(201);
    const roomId = created.json.id as string;
    const state = (await pool.query<{ state: Buffer }>('SELECT state FROM "RoomDocument" WHERE "roomId" = $1', [roomId])).rows[0]!.state;
    const perUpdate = Math.floor(ROOM_DOCUMENT_LIMITS.files * 0.6);
    const updates = Array.from({ length: 4 }, (_, u) =>
      changeOf(storedCopy(state), (d) =>
        d.transact(() => {
          for (let i = 0; i < perUpdate; i++) {
            const entry = new Y.Map<unknown>();
            d.getMap(FILES).set(`u${u}-f${i}`, entry);
            entry.set("path", `u${u}_f${i}.py`);
            entry.set("text", new Y.Text());
          }
        }),
      ),
    );
    const sockets: AuthenticatedRawSocket[] = [];
    for (let i = 0; i < updates.length; i++) sockets.push(await authenticatedRawSocket(collab.url, roomId, await roomToken(roomId, owner)));
    const lock = await pool.connect();
    try {
      await lock.query("BEGIN");
      await lock.query('LOCK TABLE "RoomUpdate" IN SHARE MODE');
      const answers = sockets.map((socket, i) => socket.sendUpdate(updates[i]!));
      await new Promise((r) => setTimeout(r, 1000));
      await lock.query("COMMIT");
      const applied = (await Promise.all(answers)).filter((a) => a === "applied").length;
      expect(applied).toBe(1);
      expect(filesOf(await durableCopy(roomId)).size).toBeLessThanOrEqual(ROOM_DOCUMENT_LIMITS.files);
    } finally {
      await lock.query("ROLLBACK").catch(() => undefined);
      lock.release();
      for (const s of sockets) s.ws.terminate();
    }
  });
});

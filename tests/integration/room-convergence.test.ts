import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { inject } from "vitest";
import * as Y from "yjs";
import { decodeDocument, listFiles } from "../../lib/rooms/document";
import { registerUser } from "../support/api";
import { addMember, connectRoom, eventually, roomToken, roomWithMembers, type RoomClient } from "../support/rooms";

const pool = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
afterAll(() => pool.end());

const textOf = (doc: Y.Doc) => [...doc.getMap<Y.Map<unknown>>("files").values()][0]!.get("text") as Y.Text;

/** A small deterministic random source, so a failure can be replayed with the same seed. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

it("many clients editing one file at once, some going offline and back, all end identical and stored", async () => {
  const CLIENTS = 12;
  const ROUNDS = 40;
  const seed = Date.now() % 100000;
  const rand = random(seed);
  const { roomId, owner } = await roomWithMembers();
  // Twelve people, each with an account of their own (as in a classroom), all editors.
  const people = await Promise.all(Array.from({ length: CLIENTS }, () => registerUser()));
  for (const person of people) await addMember(roomId, owner, person, "editor");
  const clients: RoomClient[] = people.map((person) => connectRoom(roomId, () => roomToken(roomId, person)));
  // Which clients we took offline. The socket's status changes only once its close completes, and
  // connect() before then does nothing (the provider still thinks it is connected): wait for it.
  const offline = new Set<RoomClient>();
  const reconnecting = new Map<RoomClient, Promise<void>>();
  const backOnline = (c: RoomClient) => {
    offline.delete(c);
    const done = (async () => {
      await eventually("the socket to finish closing", () => c.socket.status === "disconnected");
      await c.socket.connect();
    })().finally(() => reconnecting.delete(c));
    reconnecting.set(c, done);
    return done;
  };
  try {
    await Promise.all(clients.map((c) => c.synced));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, c] of clients.entries()) {
        const text = textOf(c.doc);
        if (rand() < 0.65 || text.length < 5) text.insert(Math.floor(rand() * (text.length + 1)), `${i}:${round} `);
        else {
          const at = Math.floor(rand() * text.length);
          text.delete(at, Math.min(text.length - at, 1 + Math.floor(rand() * 4)));
        }
        // Now and then a client drops off; it keeps editing offline and comes back later.
        if (!offline.has(c) && !reconnecting.has(c) && rand() < 0.03) {
          offline.add(c);
          c.socket.disconnect();
        } else if (offline.has(c) && rand() < 0.2) {
          void backOnline(c);
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all([...reconnecting.values(), ...[...offline].map(backOnline)]);
    const expected = () => textOf(clients[0]!.doc).toString();
    await eventually(
      `all ${CLIENTS} clients to hold the same text (seed ${seed})`,
      () => clients.every((c) => c.socket.status === "connected" && c.provider.isSynced && textOf(c.doc).toString() === expected()),
      30_000,
    ).catch((err) => {
      // Say which clients did not get there, and why, for the next person to read this.
      const states = clients.map((c, i) => ({
        i,
        socket: c.socket.status,
        synced: c.provider.isSynced,
        same: textOf(c.doc).toString() === expected(),
        refused: c.authFailures,
        closed: c.closeEvents,
      }));
      throw new Error(`${(err as Error).message}: ${JSON.stringify(states)}`);
    });
    // Every client's own inserts that were never deleted... at least the text is non-trivial and identical.
    expect(expected().length).toBeGreaterThan(0);
    await eventually(
      "the stored document to equal what the clients hold",
      async () => {
        const { rows } = await pool.query<{ state: Buffer }>('SELECT state FROM "RoomDocument" WHERE "roomId" = $1', [roomId]);
        const stored = decodeDocument(new Uint8Array(rows[0]!.state));
        const content = listFiles(stored)[0]?.content;
        stored.destroy();
        return content === expected();
      },
      15_000,
    );
  } finally {
    for (const c of clients) c.destroy();
  }
});

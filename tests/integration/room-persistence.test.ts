import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import * as Y from "yjs";
import { decodeDocument, listFiles } from "../../lib/rooms/document";
import { connectRoom, eventually, roomToken, roomWithMembers } from "../support/rooms";
import { startService, type Backing } from "../support/stack";

/**
 * The collab service's promises about stored documents, each against a collab
 * process of its own (so its settings and its shutdown concern this test only).
 */
const pool = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
afterAll(() => pool.end());

const backing: Backing = { dataDir: inject("dataDir"), databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl"), stop: async () => undefined };
const textOf = (doc: Y.Doc) => [...doc.getMap<Y.Map<unknown>>("files").values()][0]!.get("text") as Y.Text;

async function stored(roomId: string): Promise<Buffer> {
  const { rows } = await pool.query<{ state: Buffer }>('SELECT state FROM "RoomDocument" WHERE "roomId" = $1', [roomId]);
  return rows[0]!.state;
}
const storedText = async (roomId: string) => {
  const doc = decodeDocument(new Uint8Array(await stored(roomId)));
  const text = listFiles(doc)[0]?.content;
  doc.destroy();
  return text;
};

describe("room documents in PostgreSQL", () => {
  it("edits not yet stored are stored when the collab service shuts down", async () => {
    const collab = await startService("collab/main.ts", backing, { SAM_COLLAB_STORE_DEBOUNCE_MS: "600000" });
    const { roomId, owner } = await roomWithMembers();
    const c = connectRoom(roomId, () => roomToken(roomId, owner), { collabUrl: collab.url });
    try {
      await c.synced;
      textOf(c.doc).insert(0, "# typed just before shutdown\n");
      await eventually("the edit to reach the server", () => c.provider.unsyncedChanges === 0);
      expect(await storedText(roomId)).not.toContain("just before shutdown");
      expect(await collab.stop()).toBe(0);
      expect(await storedText(roomId)).toContain("# typed just before shutdown");
    } finally {
      c.destroy();
    }
  });

  it("a document that fails to load is never overwritten with an empty one", async () => {
    const { roomId, owner } = await roomWithMembers();
    // Not a Yjs update: loading it fails.
    const broken = Buffer.from("this is not a yjs update, but it is someone's data");
    await pool.query('UPDATE "RoomDocument" SET state = $1 WHERE "roomId" = $2', [broken, roomId]);
    const c = connectRoom(roomId, () => roomToken(roomId, owner), { direct: true });
    try {
      await eventually("the connection to be refused or closed", () => c.closeEvents.length > 0 || c.authFailures.length > 0 || !c.provider.isSynced, 10_000);
      c.doc.getMap("folders").set("written-by-a-client", true);
      await new Promise((r) => setTimeout(r, 1500));
    } finally {
      c.destroy();
    }
    await new Promise((r) => setTimeout(r, 1000));
    expect((await stored(roomId)).equals(broken)).toBe(true);
  });

  it("a document may not grow past its size limit: the writer's socket is told why", async () => {
    const collab = await startService("collab/main.ts", backing, { SAM_COLLAB_MAX_DOCUMENT_KB: "64", SAM_COLLAB_STORE_DEBOUNCE_MS: "200" });
    const { roomId, owner } = await roomWithMembers();
    const c = connectRoom(roomId, () => roomToken(roomId, owner), { collabUrl: collab.url });
    try {
      await c.synced;
      for (let i = 0; i < 10; i++) {
        textOf(c.doc).insert(0, "x".repeat(16 * 1024));
        await new Promise((r) => setTimeout(r, 100));
      }
      await eventually("the writer to be told the document is full", () => c.closeEvents.some((e) => e.reason.includes("size limit")), 10_000);
      await new Promise((r) => setTimeout(r, 1000));
      // What was stored stays near the limit (the last message before the check may pass it).
      expect((await stored(roomId)).length).toBeLessThan(64 * 1024 + 2 * 16 * 1024 + 4096);
    } finally {
      c.destroy();
      await collab.stop();
    }
  });
});

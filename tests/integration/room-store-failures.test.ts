import { randomBytes } from "node:crypto";
import fs from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import * as Y from "yjs";
import { decodeDocument, listFiles } from "../../lib/rooms/document";
import { connectRoom, eventually, roomToken, roomWithMembers } from "../support/rooms";
import { startService, type Backing, type RunningService } from "../support/stack";

/**
 * A store that fails (attack-web F4). Hocuspocus rethrew any store error from
 * its debounce timer, nobody handled the rejection, and the collab process
 * exited: every room cut off, and the edits of the failed store lost. A
 * store failed for real when a heavy room's transaction outlived its 30 s
 * timeout; here PostgreSQL itself refuses the store (a trigger on this
 * test's room only), as it would while restarting or out of disk.
 *
 * A collab process of this file's own, storing 300 ms after the last edit.
 */
const backing: Backing = { dataDir: inject("dataDir"), databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl"), stop: async () => undefined };
const pool = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
let collab: RunningService;

beforeAll(async () => {
  collab = await startService("collab/main.ts", backing, { SAM_COLLAB_STORE_DEBOUNCE_MS: "300" });
});
afterAll(async () => {
  await collab?.stop();
  await pool.end();
});

const textOf = (doc: Y.Doc) => [...doc.getMap<Y.Map<unknown>>("files").values()][0]!.get("text") as Y.Text;

async function storedText(roomId: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ state: Buffer }>('SELECT state FROM "RoomDocument" WHERE "roomId" = $1', [roomId]);
  const doc = decodeDocument(new Uint8Array(rows[0]!.state));
  const text = listFiles(doc)[0]?.content;
  doc.destroy();
  return text;
}

/** Makes PostgreSQL refuse every store of one room until the returned function is called. */
async function refuseStores(roomId: string): Promise<() => Promise<void>> {
  const name = `sam_test_refuse_${randomBytes(6).toString("hex")}`;
  await pool.query(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW."roomId" = '${roomId}'::uuid THEN RAISE EXCEPTION 'the test refuses this store'; END IF;
      RETURN NEW;
    END $$`);
  await pool.query(`CREATE TRIGGER ${name} BEFORE UPDATE ON "RoomDocument" FOR EACH ROW EXECUTE FUNCTION ${name}()`);
  return async () => {
    await pool.query(`DROP TRIGGER ${name} ON "RoomDocument"`);
    await pool.query(`DROP FUNCTION ${name}()`);
  };
}

const logged = (text: string) => fs.readFileSync(collab.logFile, "utf8").includes(text);

describe("room documents whose store fails", () => {
  it("a failed store neither ends the process nor loses the edits: the room stays in memory and is stored once it can be", async () => {
    const { roomId, owner, editor } = await roomWithMembers();
    const allow = await refuseStores(roomId);
    let allowed = false;
    let left = false;
    const writer = connectRoom(roomId, () => roomToken(roomId, owner), { collabUrl: collab.url });
    try {
      await writer.synced;
      textOf(writer.doc).insert(0, "# kept through failed stores\n");
      await eventually("the edit to reach the server", () => writer.provider.unsyncedChanges === 0);
      // Stores are tried 300 ms after the edit, and refused.
      await new Promise((r) => setTimeout(r, 2000));
      expect(collab.proc.child.exitCode).toBeNull();
      // The last member leaves: the room would be stored (failing again) and unloaded.
      writer.destroy();
      left = true;
      await new Promise((r) => setTimeout(r, 2000));

      // The process lives, and still has the edit, though the database does not.
      await eventually("the log to say the store failed", () => logged("could not store the room's document"));
      expect(collab.proc.child.exitCode).toBeNull();
      expect((await fetch(`${collab.url}/health`)).status).toBe(200);
      expect(await storedText(roomId)).not.toContain("kept through failed stores");
      const reader = connectRoom(roomId, () => roomToken(roomId, editor), { collabUrl: collab.url });
      try {
        await reader.synced;
        expect(textOf(reader.doc).toString()).toContain("# kept through failed stores");
      } finally {
        reader.destroy();
      }

      // PostgreSQL takes stores again: a retry stores the edit.
      await allow();
      allowed = true;
      await eventually("the edit to be stored by a retry", async () => (await storedText(roomId))?.includes("# kept through failed stores") ?? false, 60_000);
      // The log line is written right after the store, but the log reaches its file a moment later.
      await eventually("the log to say the room is stored again", () => logged("the room's document is stored again"), 10_000);
      expect(collab.proc.child.exitCode).toBeNull();
    } finally {
      if (!left) writer.destroy();
      if (!allowed) await allow();
    }
  }, 120_000);
});

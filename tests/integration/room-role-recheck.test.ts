import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import * as Y from "yjs";
import { CLOSE } from "../../lib/rooms/close-codes";
import { connectRoom, eventually, roomToken, roomWithMembers } from "../support/rooms";
import { startService, type Backing, type RunningService } from "../support/stack";

/**
 * A removed member must not keep an editing socket because the one Redis
 * announcement that closes it was missed. Here the database is changed
 * directly, with no announcement at all: a collab process of this file's
 * own re-reads the roles of everyone connected every half second, and
 * closes what no longer holds.
 */
const backing: Backing = { dataDir: inject("dataDir"), databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl"), stop: async () => undefined };
const pool = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
let collab: RunningService;

beforeAll(async () => {
  collab = await startService("collab/main.ts", backing, { SAM_COLLAB_ROLE_RECHECK_MS: "500" });
});
afterAll(async () => {
  await collab?.stop();
  await pool.end();
});

const textOf = (doc: Y.Doc) => [...doc.getMap<Y.Map<unknown>>("files").values()][0]!.get("text") as Y.Text;
const onOwnCollab = (roomId: string, token: () => Promise<string>) => connectRoom(roomId, token, { collabUrl: collab.url });

describe("roles are re-checked while sockets are open", () => {
  it("a member removed without an announcement loses the socket; one whose role changed reconnects with the new role", async () => {
    const { roomId, owner, editor, viewer } = await roomWithMembers();
    const removed = onOwnCollab(roomId, () => roomToken(roomId, editor).catch(() => "no-longer-a-member"));
    const promoted = onOwnCollab(roomId, () => roomToken(roomId, viewer));
    const ownerClient = onOwnCollab(roomId, () => roomToken(roomId, owner));
    try {
      await Promise.all([removed.synced, promoted.synced, ownerClient.synced]);
      await pool.query('DELETE FROM "RoomMember" WHERE "roomId" = $1 AND "userId" = $2', [roomId, editor.id]);
      await pool.query('UPDATE "RoomMember" SET role = \'editor\' WHERE "roomId" = $1 AND "userId" = $2', [roomId, viewer.id]);

      await eventually("the removed member's socket to close", () => removed.closeEvents.some((e) => e.code === CLOSE.roleChanged.code), 20_000);
      await eventually("the removed member to stay out", () => removed.authFailures.length > 0, 20_000);
      expect(removed.provider.isSynced).toBe(false);
      textOf(removed.doc).insert(0, "# written after removal\n");

      await eventually(
        "the promoted member to reconnect",
        () => promoted.closeEvents.some((e) => e.code === CLOSE.roleChanged.code) && promoted.provider.isSynced,
        20_000,
      );
      textOf(promoted.doc).insert(0, "# promoted\n");
      await eventually("the promoted member's edit to count", () => textOf(ownerClient.doc).toString().startsWith("# promoted"));
      expect(textOf(ownerClient.doc).toString()).not.toContain("written after removal");
      // Nobody whose role still holds was disturbed.
      expect(ownerClient.closeEvents).toEqual([]);
    } finally {
      for (const c of [removed, promoted, ownerClient]) c.destroy();
    }
  });

  it("a room deleted without an announcement closes its sockets", async () => {
    const { roomId, editor } = await roomWithMembers();
    const member = onOwnCollab(roomId, () => roomToken(roomId, editor).catch(() => "gone"));
    try {
      await member.synced;
      await pool.query('DELETE FROM "Room" WHERE id = $1', [roomId]);
      await eventually("the socket to close with the room deleted", () => member.closeEvents.some((e) => e.code === CLOSE.roomDeleted.code), 20_000);
    } finally {
      member.destroy();
    }
  });
});

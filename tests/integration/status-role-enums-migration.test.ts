import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, MIGRATIONS_DIR } from "../../lib/db/migrate";
import { EXECUTION_STATUSES } from "../../lib/executions/status";
import { startBacking, tempDir, type Backing } from "../support/stack";

/**
 * The migration that makes execution status and room roles enums keeps every
 * stored value, and afterwards the database refuses any other. Checked on a
 * database migrated up to the migration before it.
 */
const ENUMS = "20261127110000_status_role_enums";
let backing: Backing;
let databaseUrl: string;

beforeAll(async () => {
  backing = await startBacking();
  const admin = new pg.Client({ connectionString: backing.databaseUrl });
  await admin.connect();
  await admin.query("CREATE DATABASE before_enums");
  await admin.end();
  const url = new URL(backing.databaseUrl.replace(/^postgresql:/, "http:"));
  url.pathname = "/before_enums";
  databaseUrl = url.toString().replace(/^http:/, "postgresql:");
});
afterAll(async () => {
  await backing?.stop();
});

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

describe(`migration ${ENUMS}`, () => {
  it("keeps every stored status and role, and the columns then refuse values the code does not know", async () => {
    const earlier = tempDir();
    for (const name of fs.readdirSync(MIGRATIONS_DIR).filter((n) => n < ENUMS && fs.statSync(path.join(MIGRATIONS_DIR, n)).isDirectory())) {
      fs.cpSync(path.join(MIGRATIONS_DIR, name), path.join(earlier, name), { recursive: true });
    }
    await migrate(databaseUrl, earlier);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const [owner, editor, viewer, room] = [id(1), id(2), id(3), id(4)];
      for (const [user, name] of [
        [owner, "ada"],
        [editor, "bob"],
        [viewer, "cy"],
      ] as const) {
        await client.query(`INSERT INTO "User" (id, username, "usernameKey") VALUES ($1, $2, $2)`, [user, name]);
      }
      await client.query(`INSERT INTO "Room" (id, name, language, "updatedAt") VALUES ($1, 'r', 'python', now())`, [room]);
      const members = [
        [owner, "owner"],
        [editor, "editor"],
        [viewer, "viewer"],
      ] as const;
      for (const [user, role] of members) await client.query(`INSERT INTO "RoomMember" ("roomId", "userId", role) VALUES ($1, $2, $3)`, [room, user, role]);
      await client.query(`INSERT INTO "RoomInvitation" (id, "roomId", "userId", "invitedById", role, "expiresAt") VALUES ($1, $2, $3, $4, 'editor', now())`, [
        id(5),
        room,
        viewer,
        owner,
      ]);
      await client.query(`INSERT INTO "ShareLink" (id, "roomId", role, "tokenHash", "createdById", "expiresAt") VALUES ($1, $2, 'viewer', $3, $4, now())`, [
        id(6),
        room,
        "a".repeat(64),
        owner,
      ]);
      for (const [i, status] of EXECUTION_STATUSES.entries()) {
        await client.query(`INSERT INTO "Execution" (id, "userId", language, version, status, limits) VALUES ($1, $2, 'python', '3', $3, '{}')`, [
          id(100 + i),
          owner,
          status,
        ]);
      }

      await migrate(databaseUrl);

      const statuses = (await client.query(`SELECT status::text AS status FROM "Execution" ORDER BY id`)).rows.map((r) => r.status);
      expect(statuses).toEqual([...EXECUTION_STATUSES]);
      const roles = (await client.query(`SELECT "userId", role::text AS role FROM "RoomMember" ORDER BY "userId"`)).rows.map((r) => [r.userId, r.role]);
      expect(roles).toEqual(members.map(([u, r]) => [u, r]));
      expect((await client.query(`SELECT role::text AS role FROM "RoomInvitation"`)).rows).toEqual([{ role: "editor" }]);
      expect((await client.query(`SELECT role::text AS role FROM "ShareLink"`)).rows).toEqual([{ role: "viewer" }]);
      const types = (
        await client.query(
          `SELECT table_name, column_name, udt_name FROM information_schema.columns WHERE (column_name = 'status' AND table_name = 'Execution') OR (column_name = 'role' AND table_name IN ('RoomInvitation', 'RoomMember', 'ShareLink')) ORDER BY table_name`,
        )
      ).rows;
      expect(types).toEqual([
        { table_name: "Execution", column_name: "status", udt_name: "ExecutionStatus" },
        { table_name: "RoomInvitation", column_name: "role", udt_name: "GrantableRole" },
        { table_name: "RoomMember", column_name: "role", udt_name: "RoomRole" },
        { table_name: "ShareLink", column_name: "role", udt_name: "GrantableRole" },
      ]);

      // The default is still queued; a status or role the code does not know is refused; nobody is invited as owner.
      await client.query(`INSERT INTO "Execution" (id, "userId", language, version, limits) VALUES ($1, $2, 'python', '3', '{}')`, [id(200), owner]);
      expect((await client.query(`SELECT status::text AS status FROM "Execution" WHERE id = $1`, [id(200)])).rows).toEqual([{ status: "queued" }]);
      await expect(client.query(`UPDATE "Execution" SET status = 'finished' WHERE id = $1`, [id(200)])).rejects.toThrow(
        /invalid input value for enum "ExecutionStatus"/,
      );
      await expect(client.query(`UPDATE "RoomMember" SET role = 'admin' WHERE "userId" = $1`, [viewer])).rejects.toThrow(
        /invalid input value for enum "RoomRole"/,
      );
      await expect(client.query(`UPDATE "ShareLink" SET role = 'owner'`)).rejects.toThrow(/invalid input value for enum "GrantableRole"/);
    } finally {
      await client.end();
    }
  });

  it("refuses, and rolls back, a database holding a status the code does not know (nothing is silently changed)", async () => {
    const admin = new pg.Client({ connectionString: backing.databaseUrl });
    await admin.connect();
    await admin.query("CREATE DATABASE odd_status");
    await admin.end();
    const url = databaseUrl.replace("/before_enums", "/odd_status");
    const earlier = tempDir();
    for (const name of fs.readdirSync(MIGRATIONS_DIR).filter((n) => n < ENUMS && fs.statSync(path.join(MIGRATIONS_DIR, n)).isDirectory())) {
      fs.cpSync(path.join(MIGRATIONS_DIR, name), path.join(earlier, name), { recursive: true });
    }
    await migrate(url, earlier);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`INSERT INTO "User" (id, username, "usernameKey") VALUES ($1, 'ada', 'ada')`, [id(1)]);
      await client.query(`INSERT INTO "Execution" (id, "userId", language, version, status, limits) VALUES ($1, $2, 'python', '3', 'weird', '{}')`, [
        id(2),
        id(1),
      ]);
      await expect(migrate(url)).rejects.toThrow(new RegExp(`${ENUMS} failed`));
      const row = (await client.query(`SELECT status, pg_typeof(status)::text AS type FROM "Execution" WHERE id = $1`, [id(2)])).rows[0];
      expect(row).toEqual({ status: "weird", type: "text" });
    } finally {
      await client.end();
    }
  });
});

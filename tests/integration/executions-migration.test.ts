import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, MIGRATIONS_DIR } from "../../lib/db/migrate";
import { startBacking, tempDir, type Backing } from "../support/stack";

/**
 * The migration to byte columns converts the runs stored before it without
 * loss: text becomes its UTF-8 bytes, the files' jsonb list becomes rows in
 * their order. Checked on a database migrated up to the migration before it.
 */
const BYTE_SAFE = "20261127010000_byte_safe_runs";
let backing: Backing;
let databaseUrl: string;

beforeAll(async () => {
  backing = await startBacking();
  const admin = new pg.Client({ connectionString: backing.databaseUrl });
  await admin.connect();
  await admin.query("CREATE DATABASE before_bytes");
  await admin.end();
  const url = new URL(backing.databaseUrl.replace(/^postgresql:/, "http:"));
  url.pathname = "/before_bytes";
  databaseUrl = url.toString().replace(/^http:/, "postgresql:");
});
afterAll(async () => {
  await backing?.stop();
});

describe(`migration ${BYTE_SAFE}`, () => {
  it("keeps every stored run: output, stdin and files as their exact UTF-8 bytes, files in order", async () => {
    const earlier = tempDir();
    for (const name of fs.readdirSync(MIGRATIONS_DIR).filter((n) => n < BYTE_SAFE && fs.statSync(path.join(MIGRATIONS_DIR, n)).isDirectory())) {
      fs.cpSync(path.join(MIGRATIONS_DIR, name), path.join(earlier, name), { recursive: true });
    }
    await migrate(databaseUrl, earlier);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const user = "00000000-0000-4000-8000-000000000001";
      const run = "00000000-0000-4000-8000-000000000002";
      const files = [
        { name: "main.py", content: "print('héllo 😀')\n" },
        { name: "lib/util.py", content: "\u0001\u001b[0m ü" },
        { name: "empty.txt", content: "" },
      ];
      await client.query(`INSERT INTO "User" (id, username, "usernameKey") VALUES ($1, 'ada', 'ada')`, [user]);
      await client.query(
        `INSERT INTO "Execution" (id, "userId", language, version, status, files, stdin, limits, stdout, stderr, "compileOutput")
         VALUES ($1, $2, 'python', '3', 'succeeded', $3, $4, '{}', $5, $6, $7)`,
        [run, user, JSON.stringify(files), "in ✓\n", "héllo 😀\n", "warn \u0007", null],
      );
      await migrate(databaseUrl);
      const row = (await client.query(`SELECT stdin, stdout, stderr, "compileOutput" FROM "Execution" WHERE id = $1`, [run])).rows[0];
      expect(row.stdin).toEqual(Buffer.from("in ✓\n"));
      expect(row.stdout).toEqual(Buffer.from("héllo 😀\n"));
      expect(row.stderr).toEqual(Buffer.from("warn \u0007"));
      expect(row.compileOutput).toBeNull();
      const stored = (await client.query(`SELECT position, name, content FROM "ExecutionFile" WHERE "executionId" = $1 ORDER BY position`, [run])).rows;
      expect(stored).toEqual(files.map((f, position) => ({ position, name: f.name, content: Buffer.from(f.content) })));
      // And the columns now take any bytes.
      await client.query(`UPDATE "Execution" SET stdout = $2 WHERE id = $1`, [run, Buffer.from([0x00, 0xff, 0xfe])]);
    } finally {
      await client.end();
    }
  });
});

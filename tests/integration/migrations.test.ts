import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, MIGRATIONS_DIR } from "../../lib/db/migrate";
import { startBacking, tempDir, type Backing } from "../support/stack";

describe("migration runner", () => {
  let backing: Backing;
  beforeAll(async () => {
    backing = await startBacking();
  });
  afterAll(async () => {
    await backing?.stop();
  });

  it("records every migration as Prisma does, with its sha256 checksum, and is idempotent", async () => {
    const again = await migrate(backing.databaseUrl);
    expect(again.applied).toEqual([]);
    const client = new pg.Client({ connectionString: backing.databaseUrl });
    await client.connect();
    try {
      const rows = (await client.query(`SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`))
        .rows;
      const names = fs
        .readdirSync(MIGRATIONS_DIR)
        .filter((n) => fs.existsSync(path.join(MIGRATIONS_DIR, n, "migration.sql")))
        .sort();
      expect(rows.map((r) => r.migration_name)).toEqual(names);
      for (const row of rows) {
        const sql = fs.readFileSync(path.join(MIGRATIONS_DIR, row.migration_name, "migration.sql"));
        expect(row.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
        expect(row.finished_at).not.toBeNull();
      }
    } finally {
      await client.end();
    }
  });

  it("applies concurrently started runs once", async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, "20990101000000_extra"));
    fs.writeFileSync(path.join(dir, "20990101000000_extra", "migration.sql"), `CREATE TABLE "ConcurrencyProbe" (id int);`);
    const results = await Promise.all([1, 2, 3].map(() => migrate(backing.databaseUrl, dir)));
    expect(results.flatMap((r) => r.applied)).toEqual(["20990101000000_extra"]);
  });

  it("refuses to continue when an applied migration was edited", async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, "20990101000000_extra"));
    fs.writeFileSync(path.join(dir, "20990101000000_extra", "migration.sql"), `CREATE TABLE "ConcurrencyProbe" (id int, edited int);`);
    await expect(migrate(backing.databaseUrl, dir)).rejects.toThrow(/was changed after it was applied/);
  });

  it("rolls back a failing migration and reports it", async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, "20990102000000_broken"));
    fs.writeFileSync(path.join(dir, "20990102000000_broken", "migration.sql"), `CREATE TABLE "HalfDone" (id int);\nSELECT * FROM no_such_table;`);
    await expect(migrate(backing.databaseUrl, dir)).rejects.toThrow(/20990102000000_broken failed/);
    const client = new pg.Client({ connectionString: backing.databaseUrl });
    await client.connect();
    const exists = await client.query(`SELECT to_regclass('"HalfDone"') AS t`);
    await client.end();
    expect(exists.rows[0].t).toBeNull();
  });
});

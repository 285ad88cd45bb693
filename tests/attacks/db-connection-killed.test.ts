import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase, sqlPool, type Database } from "../../lib/db/client";

/**
 * The run API's hot queries use Prisma's pg pool directly (lib/db/client.ts
 * sqlPool: runner/queue/claim.ts, lib/web/executions.ts). node-postgres
 * emits "error" on a client whose connection dies while nobody queries it,
 * and on the pool for an idle one; an "error" event nobody listens to ends
 * a Node process. Prisma listens only on its own transactions' connections,
 * and on the pool once it has connected itself. So PostgreSQL restarting, a
 * failover or a killed backend while the web process held a connection
 * between two statements (the run enqueue waits on Redis inside its
 * transaction) ended the process, every request in it with it. It must only
 * fail that request, and the connection must not be reused.
 */
let admin: pg.Client;
beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject("databaseUrl") });
  await admin.connect();
});
afterAll(() => admin.end());

const uncaught: unknown[] = [];
const onUncaught = (err: unknown) => uncaught.push(err);

async function kill(pid: number) {
  await admin.query("SELECT pg_terminate_backend($1)", [pid]);
  // node-postgres sees the connection end a moment later.
  await new Promise((r) => setTimeout(r, 300));
}

describe("a database connection killed under the SQL hot path", () => {
  let db: Database;
  beforeAll(() => {
    process.on("uncaughtException", onUncaught);
    db = createDatabase(inject("databaseUrl"));
  });
  afterAll(async () => {
    process.off("uncaughtException", onUncaught);
    await db.$disconnect();
  });

  it("while an idle pooled connection (before Prisma's first query), the process goes on", async () => {
    const pool = sqlPool(db);
    const { rows } = await pool.query("SELECT pg_backend_pid() AS pid");
    await kill(rows[0].pid as number);
    expect(uncaught).toEqual([]);
    // The pool made a new connection.
    expect((await pool.query("SELECT 1 AS one")).rows[0].one).toBe(1);
  });

  it("while a transaction holds it between two statements, only that transaction fails", async () => {
    const pool = sqlPool(db);
    const client = await pool.connect();
    await client.query("BEGIN");
    const { rows } = await client.query("SELECT pg_backend_pid() AS pid");
    await kill(rows[0].pid as number);
    expect(uncaught).toEqual([]);
    await expect(client.query("SELECT 1")).rejects.toThrow();
    client.release(true);
    expect((await pool.query("SELECT 1 AS one")).rows[0].one).toBe(1);
    expect(uncaught).toEqual([]);
  });
});

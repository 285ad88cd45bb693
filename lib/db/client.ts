import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/client";

export type Database = PrismaClient;

const POOL = Symbol.for("sam.db.pool");

/**
 * Prisma through the node-postgres driver adapter: no engine binary at run
 * time. The adapter runs on a pool made here, so the few queries of a run's
 * hot path can use the same connections in plain SQL (see sqlPool).
 */
export function createDatabase(databaseUrl: string): Database {
  // A query waits at most 10 s for a free connection, then fails as the database being unavailable (503, or the
  // run waits in the queue): a process whose connections are all held must not pile up waiters for ever.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: 10_000 });
  // node-postgres emits "error" for a connection that dies while nobody queries it (PostgreSQL restarting, a
  // failover, a killed backend), and an "error" nobody listens to ends the process. Prisma listens only on its
  // own transactions' connections, and on the pool once it has connected; the SQL on this pool (sqlPool) holds
  // connections between statements too (the run enqueue waits on Redis inside its transaction). Idle, the pool
  // drops the connection itself; held, its next query fails and the holder does not reuse it.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => client.on("error", () => undefined));
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  Object.defineProperty(db, POOL, { value: pool });
  return db;
}

/**
 * The database's own connection pool, for the queries on a run's hot path
 * written in SQL (runner/queue/claim.ts, lib/executions/record.ts, lib/accounts/api-tokens.ts): Prisma's
 * own work costs about 0.3 ms and as much CPU per query on top of the query
 * itself (`npm run bench`, part database), and a run made a dozen of them.
 */
export function sqlPool(db: Database): pg.Pool {
  const pool = (db as unknown as Record<symbol, pg.Pool | undefined>)[POOL];
  if (!pool) throw new Error("this database client was not made by createDatabase");
  return pool;
}

// Route handlers are loaded in many module instances by Next.js; one client
// per process is kept on globalThis so they share one connection pool.
const holder = globalThis as typeof globalThis & { __samDatabase?: Database };

export function database(): Database {
  if (!holder.__samDatabase) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set for this process");
    holder.__samDatabase = createDatabase(url);
  }
  return holder.__samDatabase;
}

import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";

export type Database = PrismaClient;

/** Prisma through the node-postgres driver adapter: no engine binary at run time. */
export function createDatabase(databaseUrl: string): Database {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 10 }) });
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

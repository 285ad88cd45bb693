import pg from "pg";
import { createDatabase } from "../lib/db/client";
import type { Backing } from "../tests/support/stack";

/**
 * What one database round trip costs (issue 13: a run makes several): the
 * same reads and writes through node-postgres alone and through Prisma (with
 * its driver adapter on node-postgres), so Prisma's own per-query cost shows.
 * A write's commit waits for the write-ahead log to reach the disk.
 */
const ROUNDS = Number(process.env.BENCH_DB_ROUNDS ?? 300);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

async function timeEach(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return median(times);
}

export async function benchDatabase(backing: Backing, log: (m: string) => void): Promise<Array<[string, number, number]>> {
  log(`database: ${ROUNDS} rounds of each query, node-postgres alone and through Prisma`);
  const client = new pg.Client({ connectionString: backing.databaseUrl });
  await client.connect();
  const db = createDatabase(backing.databaseUrl);
  try {
    // A table of its own (the bench's throwaway database): a commit that writes must wait for the disk.
    await client.query(`CREATE TABLE IF NOT EXISTS bench_commits (id int PRIMARY KEY, n int)`);
    await client.query(`INSERT INTO bench_commits VALUES (1, 0) ON CONFLICT DO NOTHING`);
    const user = await db.user.findFirst({ select: { id: true } });
    const row = user ? await db.execution.findFirst({ where: { userId: user.id }, select: { id: true } }) : null;
    const id = row?.id ?? "00000000-0000-0000-0000-000000000000";
    const rows: Array<[string, number, number]> = [];
    rows.push(["SELECT 1", await timeEach(() => client.query("SELECT 1")), await timeEach(() => db.$queryRaw`SELECT 1`)]);
    rows.push([
      "an execution by id (no output)",
      await timeEach(() => client.query(`SELECT "id", "status", "language", "attempts" FROM "Execution" WHERE "id" = $1`, [id])),
      await timeEach(() => db.execution.findUnique({ where: { id }, select: { id: true, status: true, language: true, attempts: true } })),
    ]);
    rows.push([
      "an update of an execution",
      await timeEach(() => client.query(`UPDATE "Execution" SET "attempts" = "attempts" WHERE "id" = $1`, [id])),
      await timeEach(() => db.execution.updateMany({ where: { id }, data: { attempts: { increment: 0 } } })),
    ]);
    rows.push([
      "a write that commits (waits for the disk)",
      await timeEach(() => client.query(`UPDATE bench_commits SET n = n + 1 WHERE id = 1`)),
      await timeEach(() => db.$executeRaw`UPDATE bench_commits SET n = n + 1 WHERE id = 1`),
    ]);
    rows.push([
      "the same write, synchronous_commit off",
      await timeEach(async () => {
        await client.query("BEGIN");
        await client.query("SET LOCAL synchronous_commit = off");
        await client.query(`UPDATE bench_commits SET n = n + 1 WHERE id = 1`);
        await client.query("COMMIT");
      }),
      await timeEach(() =>
        db.$transaction([db.$executeRaw`SET LOCAL synchronous_commit = off`, db.$executeRaw`UPDATE bench_commits SET n = n + 1 WHERE id = 1`]),
      ),
    ]);
    rows.push([
      "a transaction: lock, count, update",
      await timeEach(async () => {
        await client.query("BEGIN");
        await client.query("SELECT 1 FROM pg_advisory_xact_lock(hashtext('bench'))");
        await client.query(`SELECT count(*) FROM "Execution" WHERE "id" = $1`, [id]);
        await client.query(`UPDATE "Execution" SET "attempts" = "attempts" WHERE "id" = $1`, [id]);
        await client.query("COMMIT");
      }),
      await timeEach(() =>
        db.$transaction(async (tx) => {
          await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(hashtext('bench'))`;
          await tx.execution.count({ where: { id } });
          await tx.execution.updateMany({ where: { id }, data: { attempts: { increment: 0 } } });
        }),
      ),
    ]);
    await client.query("DROP TABLE bench_commits");
    return rows;
  } finally {
    await client.end();
    await db.$disconnect();
  }
}

export function printDatabase(rows: Array<[string, number, number]>): void {
  console.log("\nDatabase round trips, median ms (PostgreSQL on this machine)\n");
  console.log("| query | node-postgres | Prisma | Prisma's own cost |");
  console.log("|---|---|---|---|");
  for (const [name, raw, prisma] of rows) console.log(`| ${name} | ${raw.toFixed(2)} | ${prisma.toFixed(2)} | ${(prisma - raw).toFixed(2)} |`);
}

import { sqlPool, type Database } from "../../lib/db/client";
import type { ExecutionStatus } from "../../lib/executions/status";

/**
 * The two queries that start every attempt, in SQL on Prisma's own pool
 * (lib/db/client.ts sqlPool): Prisma's own work on them (an include is three
 * queries, a transaction five round trips through its engine) cost several
 * ms per run, more than the queries themselves.
 */
export interface LoadedExecution {
  id: string;
  userId: string;
  status: ExecutionStatus;
  language: string;
  attempts: number;
  replays: number;
  terminal: boolean;
  interactive: boolean;
  roomId: string | null;
  limits: unknown;
  args: unknown;
  stdin: Uint8Array;
  createdAt: Date;
  /** The files, the entry point first (in their order). */
  files: Array<{ name: string; content: Uint8Array }>;
  /** Set when the execution is an assignment's grading. */
  grading: { id: string } | null;
}

/** The execution without its output, with its files and grading, in one round trip; null when there is none. */
export async function loadExecution(db: Database, id: string): Promise<LoadedExecution | null> {
  const { rows } = await sqlPool(db).query(
    `SELECT e."id", e."userId", e."status", e."language", e."attempts", e."replays", e."terminal", e."interactive", e."roomId",
            e."limits", e."args", e."stdin",
            -- Prisma keeps DateTime as UTC without a zone; node-postgres would read it in the process's zone.
            e."createdAt" AT TIME ZONE 'UTC' AS "createdAt",
            (SELECT g."id" FROM "Grading" g WHERE g."executionId" = e."id") AS "gradingId",
            COALESCE((SELECT array_agg(f."name" ORDER BY f."position") FROM "ExecutionFile" f WHERE f."executionId" = e."id"), '{}') AS "names",
            COALESCE((SELECT array_agg(f."content" ORDER BY f."position") FROM "ExecutionFile" f WHERE f."executionId" = e."id"), '{}') AS "contents"
     FROM "Execution" e WHERE e."id" = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) return null;
  const names = row.names as string[];
  const contents = row.contents as Buffer[];
  return {
    id: row.id,
    userId: row.userId,
    status: row.status,
    language: row.language,
    attempts: row.attempts,
    replays: row.replays,
    terminal: row.terminal,
    interactive: row.interactive,
    roomId: row.roomId,
    limits: row.limits,
    args: row.args,
    stdin: row.stdin,
    createdAt: row.createdAt,
    files: names.map((name, i) => ({ name, content: contents[i]! })),
    grading: row.gradingId ? { id: row.gradingId } : null,
  };
}

/**
 * Takes the run for this attempt: only while it is still queued (or running
 * for the attempt before, which died), and, with a cap, only while its
 * account has fewer than `cap` runs running. With a cap the count and the
 * claim happen under a lock per account (taken in a statement of its own, so
 * the count's snapshot is taken after it): two runners cannot both take the
 * last place.
 */
export async function claimExecution(
  db: Database,
  execution: { id: string; userId: string; attempts: number },
  attempt: number,
  cap: number | undefined,
): Promise<"claimed" | "busy" | "gone"> {
  const client = await sqlPool(db).connect();
  let failed = false;
  try {
    await client.query("BEGIN");
    if (cap !== undefined) await client.query("SELECT 1 FROM pg_advisory_xact_lock(hashtext($1))", [`sam:running:${execution.userId}`]);
    const { rows } = await client.query(
      `WITH running AS (
         SELECT count(*)::int AS n FROM "Execution" WHERE $4::int IS NOT NULL AND "userId" = $2 AND "status" = 'running' AND "id" <> $1
       ), claimed AS (
         UPDATE "Execution" SET "status" = 'running', "attempts" = $5, "startedAt" = now() AT TIME ZONE 'UTC'
         WHERE "id" = $1 AND "status" IN ('queued', 'running') AND "attempts" = $3 AND ($4::int IS NULL OR (SELECT n FROM running) < $4::int)
         RETURNING 1
       )
       SELECT (SELECT n FROM running) AS "running", (SELECT count(*)::int FROM claimed) AS "claimed"`,
      [execution.id, execution.userId, execution.attempts, cap ?? null, attempt],
    );
    await client.query("COMMIT");
    const { running, claimed } = rows[0] as { running: number; claimed: number };
    if (claimed > 0) return "claimed";
    return cap !== undefined && running >= cap ? "busy" : "gone";
  } catch (err) {
    failed = true;
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    // A connection whose transaction may be in an unknown state is not handed to anyone else.
    client.release(failed ? true : undefined);
  }
}

import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { RunLimits } from "./limits";

/**
 * The INSERTs that record a run and its files, in SQL on Prisma's own pool
 * (lib/db/client.ts sqlPool): two statements instead of Prisma's nested
 * create. Inside the caller's transaction (its per-account lock and count).
 */
export interface NewExecution {
  userId: string;
  language: string;
  version: string;
  /** A room's run: its members follow it, and it takes live input. */
  roomId?: string;
  files: Array<{ name: string; content: Uint8Array }>;
  stdin: Uint8Array;
  args: string[];
  limits: RunLimits;
}

export async function insertExecution(client: pg.PoolClient, run: NewExecution): Promise<{ id: string; createdAt: Date }> {
  const id = randomUUID();
  const { rows } = await client.query(
    `INSERT INTO "Execution" ("id", "userId", "language", "version", "roomId", "interactive", "stdin", "args", "limits", "createdAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() AT TIME ZONE 'UTC')
     -- Prisma keeps DateTime as UTC without a zone; node-postgres would read it in the process's zone.
     RETURNING "createdAt" AT TIME ZONE 'UTC' AS "createdAt"`,
    [
      id,
      run.userId,
      run.language,
      run.version,
      run.roomId || null,
      Boolean(run.roomId),
      Buffer.from(run.stdin),
      JSON.stringify(run.args),
      JSON.stringify(run.limits),
    ],
  );
  await client.query(
    `INSERT INTO "ExecutionFile" ("executionId", "position", "name", "content")
     SELECT $1, f.position - 1, f.name, f.content FROM unnest($2::text[], $3::bytea[]) WITH ORDINALITY AS f(name, content, position)`,
    [id, run.files.map((f) => f.name), run.files.map((f) => Buffer.from(f.content))],
  );
  return { id, createdAt: rows[0].createdAt as Date };
}

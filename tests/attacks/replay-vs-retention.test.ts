import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { afterAll, describe, expect, inject, it } from "vitest";
import { insertUser } from "../../lib/accounts/users";
import { replayDeadLetter } from "../../lib/admin/dead-letters";
import { createDatabase } from "../../lib/db/client";
import { DEFAULT_POLICY, resolveLimits } from "../../lib/executions/limits";
import { createRedis } from "../../lib/redis/connection";
import { InputBudget } from "../../lib/web/input-budget";
import { uniqueName } from "../support/api";
import { eventually } from "../support/rooms";

/**
 * Attack: an administrator's replay of a dead letter racing the owner's own
 * next run, which drops the stored input of the owner's long-finished runs
 * (lib/web/input-budget.ts). The replay checked the input was there, then
 * claimed the run; the drop chose old finished runs, then blanked them by id.
 * Either could act on what the other had just changed: a replay queued with
 * its files and stdin blanked, run on nothing. Now each re-checks in the very
 * statement that changes the row: a drop never blanks a run queued again,
 * and a replay of a run whose input was dropped is 409 inputs_dropped.
 *
 * Each race is made certain with a row lock: the test holds the execution's
 * row, lets the other side reach its statement and wait on it, then does its
 * own change and lets go.
 */
const db = createDatabase(inject("databaseUrl"));
const lockHolder = createDatabase(inject("databaseUrl"));
const redis = createRedis(inject("redisUrl"));
const queueConnection = createRedis(inject("redisUrl"));
const queue = new Queue(`test-${randomBytes(6).toString("hex")}`, { connection: queueConnection });
afterAll(async () => {
  await queue.close();
  queueConnection.disconnect();
  redis.disconnect();
  await Promise.all([db.$disconnect(), lockHolder.$disconnect()]);
});

/** A run of a fresh account that ended as internal_error an hour ago, with its input stored, and its dead letter. */
async function deadRun() {
  const user = await insertUser(db, uniqueName(), "unused");
  const execution = await db.execution.create({
    data: {
      userId: user.id,
      language: "python",
      version: "3",
      status: "internal_error",
      error: "gave up",
      finishedAt: new Date(Date.now() - 3600_000),
      stdin: Buffer.from("the input"),
      files: { create: [{ position: 0, name: "main.py", content: Buffer.from("print(input())") }] },
      limits: { ...resolveLimits(DEFAULT_POLICY, {}, {}) },
    },
  });
  await db.deadLetter.create({
    data: {
      executionId: execution.id,
      kind: "attempts_exhausted",
      reason: "sandbox failed",
      attempts: [],
      job: { name: "run", data: { executionId: execution.id, userId: user.id, workClass: "api" }, priority: null },
    },
  });
  return { userId: user.id, executionId: execution.id };
}

/** True once some statement on the Execution table waits for a row lock. */
async function someoneWaitsOnExecution(): Promise<boolean> {
  const rows = await db.$queryRaw<Array<{ n: number }>>`
    SELECT count(*)::int AS n FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event IN ('transactionid', 'tuple') AND query ILIKE '%"Execution"%'`;
  return (rows[0]?.n ?? 0) > 0;
}

async function stored(executionId: string) {
  const row = await db.execution.findUniqueOrThrow({ where: { id: executionId }, include: { files: true } });
  return {
    status: row.status,
    inputsDroppedAt: row.inputsDroppedAt,
    stdin: Buffer.from(row.stdin).toString(),
    file: Buffer.from(row.files[0]!.content).toString(),
  };
}

describe("a replay racing the drop of old runs' input", () => {
  it("a run the replay queued while the drop was choosing runs keeps its input", async () => {
    const { userId, executionId } = await deadRun();
    const budget = new InputBudget(redis, { bytes: 1024 * 1024, windowSeconds: 60 });
    let drop: Promise<number> | undefined;
    await lockHolder.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT id FROM "Execution" WHERE id = ${executionId}::uuid FOR UPDATE`;
        drop = budget.dropOldInputs(db, userId);
        await eventually("the drop to wait on the run's row", someoneWaitsOnExecution, 30_000);
        // The replay's claim (lib/admin/dead-letters.ts), done while the drop waits.
        await tx.execution.updateMany({
          where: { id: executionId, status: "internal_error" },
          data: { status: "queued", error: null, startedAt: null, finishedAt: null, replays: { increment: 1 } },
        });
      },
      { timeout: 60_000 },
    );
    await drop;
    const after = await stored(executionId);
    expect(after.status).toBe("queued");
    expect(after.inputsDroppedAt).toBeNull();
    expect(after.stdin).toBe("the input");
    expect(after.file).toBe("print(input())");
  }, 90_000);

  it("a replay whose run's input is dropped while it claims the run is 409 inputs_dropped, and the run is not queued", async () => {
    const { executionId } = await deadRun();
    let replay: Promise<unknown> | undefined;
    await lockHolder.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT id FROM "Execution" WHERE id = ${executionId}::uuid FOR UPDATE`;
        replay = replayDeadLetter({ db, redis, queue }, executionId, "tester").catch((err: unknown) => err);
        await eventually("the replay's claim to wait on the run's row", someoneWaitsOnExecution, 30_000);
        // The drop (lib/web/input-budget.ts), done while the replay waits.
        await tx.execution.updateMany({ where: { id: executionId }, data: { stdin: new Uint8Array(), inputsDroppedAt: new Date() } });
      },
      { timeout: 60_000 },
    );
    const outcome = (await replay) as { status?: number; code?: string };
    expect(outcome).toMatchObject({ status: 409, code: "inputs_dropped" });
    expect((await stored(executionId)).status).toBe("internal_error");
    expect(await queue.getJob(executionId)).toBeUndefined();
  }, 90_000);
});

import { CANCEL_CHANNEL } from "../executions/queue";
import { appendEvent } from "../executions/events";
import { checkExecutionRequest, MAX_FILES } from "../executions/request";
import { availableRuntimes, requireRuntime } from "../executions/runtimes";
import { storedBytes } from "../executions/encoding";
import { queueRun } from "../executions/priority";
import { executionSummary } from "../executions/view";
import { ApiError } from "../http/errors";
import { filesForRun } from "../rooms/document";
import { appendRoomEvent } from "../rooms/events";
import { currentRoomFiles } from "../rooms/room-files";
import { pathProblem } from "../rooms/tree";
import type { ApiCaller } from "../web/caller";
import { web } from "../web/context";
import { checkRunAllowed, consumeRunAllowance, dequeueRun, executionServices, inputBudgetExhausted, roomSnapshotLease, tooManyActive } from "../web/executions";
import { clearTerminalInput, lastTerminalInput } from "./input";
import { terminalLimits, type TerminalLimits } from "./limits";

/**
 * A room's shared terminal is an interactive execution marked `terminal`: the
 * queue, the runner, the sandbox, the live output stream
 * (/api/v1/executions/:id/events) and cancelling are a run's. A room has at
 * most one queued or running (a partial unique index; starting one while one
 * runs gives the running one).
 */
const LIVE = ["queued", "running"] as const;

/** The room's queued or running terminal, if any. */
export function liveTerminal(roomId: string) {
  return web().db.execution.findFirst({
    where: { roomId, terminal: true, status: { in: [...LIVE] } },
    include: { user: { select: { id: true, username: true } } },
    omit: { stdin: true, stdout: true, stderr: true, compileOutput: true },
  });
}

type LiveTerminal = NonNullable<Awaited<ReturnType<typeof liveTerminal>>>;

/** What the API shows of a terminal: the execution, who started it, its limits and when it was last typed into. */
export async function terminalView(row: LiveTerminal) {
  const limits = row.limits as unknown as TerminalLimits;
  return {
    ...executionSummary(row),
    startedBy: { id: row.user.id, username: row.user.username },
    maxSeconds: Math.round(limits.wallTimeMs / 1000),
    idleSeconds: Math.round((limits.idleMs ?? 0) / 1000),
    lastInputAt: ((ms) => (ms ? new Date(ms).toISOString() : null))(await lastTerminalInput(web().redis, row.id)),
  };
}

/**
 * Starts the room's terminal, or gives the one already queued or running
 * (`started: false`). Counted like a run (run rate, runs at once, output
 * budget); the room's files as everyone sees them now are copied in.
 */
export async function startTerminal(caller: ApiCaller, room: { id: string; language: string }): Promise<{ row: LiveTerminal; started: boolean }> {
  const { db, redis, config, secret, log } = web();
  const running = await liveTerminal(room.id);
  if (running) return { row: running, started: false };
  const runtime = requireRuntime(await availableRuntimes(redis), room.language);
  await checkRunAllowed(caller.user.id);
  await consumeRunAllowance(caller.user.id);
  const lease = await roomSnapshotLease(caller.user.id);
  const live = await currentRoomFiles({ db, redis, secret, log }, room.id).finally(() => void lease.release());
  const files = filesForRun(live, runtime.entryFile ?? "");
  if (files.length > MAX_FILES) throw new ApiError(400, "too_many_files", `The room has ${files.length} files; a terminal takes at most ${MAX_FILES}.`);
  for (const f of files) {
    const problem = pathProblem(f.name);
    if (problem) throw new ApiError(400, "invalid_file_name", `The file "${f.name}" cannot go into the terminal: ${problem}. Rename it.`);
  }
  const input = files.map((f) => ({ name: f.name, content: Buffer.from(f.content, "utf8") }));
  checkExecutionRequest({ files: input }, config.limits);
  const limits = terminalLimits(config, config.limits.defaults);
  const { inputBudget } = executionServices();
  const inputSize = input.reduce((sum, f) => sum + f.content.byteLength, 0);
  let taken = false;
  const created = await db
    .$transaction(async (tx) => {
      // Two starts at once: the second waits here and finds the first's terminal.
      await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(hashtext(${`sam:terminal:${room.id}`}))`;
      const other = await tx.execution.findFirst({ where: { roomId: room.id, terminal: true, status: { in: [...LIVE] } }, select: { id: true } });
      if (other) return null;
      // Counted like any run of the account's (enqueueExecution): its runs at once under the account's lock (the
      // count above, outside it, let parallel starts in many rooms all pass), and the room's files it stores
      // against the input budget (else start and stop, again and again, stored them in PostgreSQL without bound).
      await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(hashtext(${`sam:active:${caller.user.id}`}))`;
      const active = await tx.execution.count({ where: { userId: caller.user.id, status: { in: [...LIVE] } } });
      if (active >= config.SAM_MAX_QUEUED_RUNS_PER_USER) throw tooManyActive(active);
      const wait = await inputBudget.take(caller.user.id, inputSize);
      if (wait > 0) throw inputBudgetExhausted(wait);
      taken = true;
      return tx.execution.create({
        data: {
          userId: caller.user.id,
          roomId: room.id,
          interactive: true,
          terminal: true,
          language: runtime.language,
          version: runtime.version,
          files: { create: input.map((f, position) => ({ position, name: f.name, content: storedBytes(f.content) })) },
          limits: { ...limits },
        },
        select: { id: true, createdAt: true },
      });
    })
    .catch(async (err: unknown) => {
      // Not recorded: its files were not stored after all.
      if (taken) await inputBudget.giveBack(caller.user.id, inputSize);
      throw err;
    });
  if (created) {
    // As after any run: the account's long-finished runs' inputs go (lib/web/input-budget.ts).
    void inputBudget.dropOldInputs(db, caller.user.id).catch((err: Error) => log.warn({ err: err.message }, "could not drop old runs' inputs"));
    await queueRun(executionServices().queue, redis, { executionId: created.id, userId: caller.user.id, workClass: "interactive" });
    // Every member's page attaches to it (app/_components/room/terminal/).
    await appendRoomEvent(redis, room.id, "terminal", {
      executionId: created.id,
      startedBy: { id: caller.user.id, username: caller.user.username },
      createdAt: created.createdAt,
    });
  }
  const row = await liveTerminal(room.id);
  if (!row) throw new ApiError(409, "terminal_ended", "The room's terminal ended as it started; start it again.");
  return { row, started: created !== null };
}

/** Stops the room's terminal (the runner kills its sandbox, every process in it). False when none was running. */
export async function stopTerminal(roomId: string): Promise<boolean> {
  const { db, redis } = web();
  const row = await liveTerminal(roomId);
  if (!row) return false;
  const updated = await db.execution.updateMany({ where: { id: row.id, status: { in: [...LIVE] } }, data: { status: "cancelled", finishedAt: new Date() } });
  if (updated.count === 0) return false;
  await redis.publish(CANCEL_CHANNEL, row.id);
  await dequeueRun(row.id, row.userId);
  // A terminal stopped while queued never reaches a runner, which is what clears its input otherwise:
  // left alone, up to MAX_TERMINAL_INPUT_BYTES sent to it would stay in Redis for a day, and again for each restart.
  await clearTerminalInput(redis, row.id);
  const ended = await db.execution.findUniqueOrThrow({ where: { id: row.id }, omit: { stdin: true, stdout: true, stderr: true, compileOutput: true } });
  await appendEvent(redis, row.id, "result", executionSummary(ended));
  await appendRoomEvent(redis, roomId, "terminal", { executionId: row.id, ended: true });
  return true;
}

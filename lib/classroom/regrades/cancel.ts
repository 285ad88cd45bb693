import { CANCEL_CHANNEL } from "../../executions/queue";
import { ApiError } from "../../http/errors";
import { web } from "../../web/context";
import { dequeueRun } from "../../web/executions";
import { appendCourseEvent } from "../events";
import { OPEN_STATUSES } from "./progress";

/**
 * Cancels an open re-grade: it will never be applied, its gradings still
 * queued leave the queue (dequeueRun, as a cancelled run does) and those
 * running are told to stop; their executions end `cancelled`. Cancelling a
 * cancelled set again changes nothing; an applied one is 409 regrade_closed.
 */
export async function cancelRegrade(set: { id: string; assignmentId: string; courseId: string }): Promise<void> {
  const { db, redis } = web();
  const moved = await db.regradeSet.updateMany({
    where: { id: set.id, status: { in: [...OPEN_STATUSES] } },
    data: { status: "cancelled", finishedAt: new Date() },
  });
  if (moved.count === 0) {
    const now = await db.regradeSet.findUniqueOrThrow({ where: { id: set.id }, select: { status: true } });
    if (now.status === "applied") throw new ApiError(409, "regrade_closed", "The re-grade was already applied; it cannot be cancelled now.");
  }
  await cancelRegradeGradings(set.id);
  if (moved.count) await appendCourseEvent(redis, set.courseId, "regrade", { assignmentId: set.assignmentId, regradeSetId: set.id, status: "cancelled" });
}

/** Ends the set's gradings that have not run to the end yet (queued ones come out of the queue). */
export async function cancelRegradeGradings(regradeSetId: string): Promise<void> {
  const { db, redis } = web();
  const open = await db.grading.findMany({
    where: { regradeSetId, finishedAt: null, execution: { status: { in: ["queued", "running"] } } },
    select: { executionId: true, execution: { select: { userId: true } } },
  });
  const ids = open.flatMap((g) => (g.executionId ? [g.executionId] : []));
  if (ids.length === 0) return;
  // The first writer of a final status wins (as for DELETE /executions/:id): one the runner just finished stays finished.
  await db.execution.updateMany({ where: { id: { in: ids }, status: { in: ["queued", "running"] } }, data: { status: "cancelled", finishedAt: new Date() } });
  for (const g of open) {
    if (!g.executionId || !g.execution) continue;
    await redis.publish(CANCEL_CHANNEL, g.executionId);
    await dequeueRun(g.executionId, g.execution.userId);
  }
}

import type { Database } from "../../db/client";
import type { ExecutionStatus, RegradeStatus } from "../../db/generated/enums";

/** A set that is running or ready (not applied or cancelled yet) holds the assignment: one open re-grade at a time. */
export const OPEN_STATUSES = ["running", "ready"] as const;

/** A run that ended without the grading finishing: it will not finish by itself (the set counts it as done, failed). */
export const FAILED_RUN_STATUSES: ExecutionStatus[] = [
  "failed",
  "compile_error",
  "time_limit_exceeded",
  "memory_limit_exceeded",
  "output_limit_exceeded",
  "cancelled",
  "internal_error",
];

export interface RegradeProgress {
  id: string;
  assignmentId: string;
  status: RegradeStatus;
  total: number;
  /** Gradings finished, or whose run failed (those are in `failed` too). */
  done: number;
  failed: number;
  createdById: string;
  createdAt: string;
  finishedAt: string | null;
}

type SetRow = { id: string; assignmentId: string; status: RegradeStatus; total: number; createdById: string; createdAt: Date; finishedAt: Date | null };

/**
 * Progress of re-grade sets in two grouped queries whatever their number. A
 * running set whose gradings are all done becomes `ready` here (the first
 * reader after the last grading finished moves it, once).
 */
export async function regradeProgress(db: Database, sets: SetRow[]): Promise<RegradeProgress[]> {
  const ids = sets.map((s) => s.id);
  const [finished, failed] = await Promise.all([
    db.grading.groupBy({ by: ["regradeSetId"], where: { regradeSetId: { in: ids }, finishedAt: { not: null } }, _count: { _all: true } }),
    db.grading.groupBy({
      by: ["regradeSetId"],
      where: { regradeSetId: { in: ids }, finishedAt: null, OR: [{ executionId: null }, { execution: { status: { in: FAILED_RUN_STATUSES } } }] },
      _count: { _all: true },
    }),
  ]);
  const count = (rows: typeof finished, id: string) => rows.find((r) => r.regradeSetId === id)?._count._all ?? 0;
  const out: RegradeProgress[] = [];
  for (const set of sets) {
    const failedCount = count(failed, set.id);
    const done = count(finished, set.id) + failedCount;
    let { status, finishedAt } = set;
    if (status === "running" && done >= set.total) {
      const now = new Date();
      const moved = await db.regradeSet.updateMany({ where: { id: set.id, status: "running" }, data: { status: "ready", finishedAt: now } });
      if (moved.count) [status, finishedAt] = ["ready", now];
    }
    out.push({
      id: set.id,
      assignmentId: set.assignmentId,
      status,
      total: set.total,
      done,
      failed: failedCount,
      createdById: set.createdById,
      createdAt: set.createdAt.toISOString(),
      finishedAt: finishedAt?.toISOString() ?? null,
    });
  }
  return out;
}

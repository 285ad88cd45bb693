import type { GradingKind } from "../../db/generated/enums";
import { storedBytes } from "../../executions/encoding";
import { resolveLimits, type RunLimits } from "../../executions/limits";
import { queueRun } from "../../executions/priority";
import type { WorkClass } from "../../executions/queue";
import { availableRuntimes, requireRuntime } from "../../executions/runtimes";
import { web } from "../../web/context";
import { executionServices } from "../../web/executions";
import { testLimitsSchema } from "../tests/spec";

export interface GradingRequest {
  assignment: { id: string; language: string; limits: unknown };
  /** The student whose work it is (the run is counted to them: fairness, running cap). */
  userId: string;
  kind: GradingKind;
  /** The files graded: the workspace's current files (kind test) or the submission's. */
  files: Array<{ name: string; content: string }>;
  submissionId?: string;
  regradeSetId?: string;
  /** test: interactive (a student waits), submission: api, regrade: batch. */
  workClass: WorkClass;
  /** For kind submission: makes this grading the submission's current one in the same transaction. */
  makeCurrent?: boolean;
}

/**
 * Records a grading and queues it. A grading is queued and run as ONE
 * Execution (the runner sees `execution.grading` and grades instead of running
 * the files once: runner/grading/), so attempts, retries, dead letters, the
 * lost-run sweep, fairness and the per-account running cap all apply as to
 * any run. The execution's limits are the assignment's defaults (each test may
 * lower or raise its own within the server's maximum); its stdin is empty.
 * Checks of who may grade what, and of rates, are the caller's.
 */
export async function queueGrading(request: GradingRequest): Promise<{ gradingId: string; executionId: string }> {
  const { db, redis, config } = web();
  const runtime = requireRuntime(await availableRuntimes(redis), request.assignment.language);
  const assignmentLimits = testLimitsSchema.safeParse(request.assignment.limits);
  const limits: RunLimits = resolveLimits(config.limits, runtime.limits, assignmentLimits.success ? assignmentLimits.data : {});
  const { grading, execution } = await db.$transaction(async (tx) => {
    const execution = await tx.execution.create({
      data: {
        userId: request.userId,
        language: runtime.language,
        version: runtime.version,
        files: { create: request.files.map((f, position) => ({ position, name: f.name, content: storedBytes(Buffer.from(f.content, "utf8")) })) },
        limits: { ...limits },
      },
    });
    const grading = await tx.grading.create({
      data: {
        executionId: execution.id,
        assignmentId: request.assignment.id,
        userId: request.userId,
        kind: request.kind,
        submissionId: request.submissionId,
        regradeSetId: request.regradeSetId,
      },
    });
    if (request.makeCurrent && request.submissionId) {
      await tx.submission.update({ where: { id: request.submissionId }, data: { gradingId: grading.id } });
    }
    return { grading, execution };
  });
  await queueRun(executionServices().queue, redis, { executionId: execution.id, userId: request.userId, workClass: request.workClass });
  return { gradingId: grading.id, executionId: execution.id };
}

import type { Database } from "../../lib/db/client";
import { storedBytes } from "../../lib/executions/encoding";
import type { GradingOutcome } from "./grade";

/** Each test's stdout and stderr are kept up to this (the submission page shows them and diffs stdout). */
export const RESULT_OUTPUT_MAX_BYTES = 64 * 1024;
const FEEDBACK_MAX_CHARS = 16 * 1024;

/**
 * Stores a finished grading in ONE transaction: every TestResult, the
 * grading's score and finish, and the execution's end (`succeeded`, whatever
 * the verdicts). Only while the execution is still `running` for this
 * attempt: a retried or cancelled grading has one set of results, never two.
 * The execution's own stdout/stderr stay empty: tests' outputs (hidden ones
 * too) live only in TestResult rows, which only the classroom's routes show.
 * False when the row was no longer this attempt's.
 */
export async function storeGrading(
  db: Database,
  ids: { executionId: string; gradingId: string; attempt: number },
  outcome: GradingOutcome,
  wallTimeMs: number,
): Promise<boolean> {
  const finishedAt = new Date();
  return db.$transaction(async (tx) => {
    const ended = await tx.execution.updateMany({
      where: { id: ids.executionId, status: "running", attempts: ids.attempt },
      data: { status: "succeeded", exitCode: 0, stdout: storedBytes(Buffer.alloc(0)), stderr: storedBytes(Buffer.alloc(0)), wallTimeMs, finishedAt },
    });
    if (ended.count === 0) return false;
    await tx.testResult.createMany({
      data: outcome.results.map(({ test, outcome: o, points }) => ({
        gradingId: ids.gradingId,
        position: test.position,
        testId: test.id,
        name: test.name,
        visibility: test.visibility,
        maxPoints: test.points,
        points,
        verdict: o.verdict,
        exitCode: o.exitCode,
        signal: o.signal,
        stdout: storedBytes(capped(o.stdout)),
        stderr: storedBytes(capped(o.stderr)),
        feedback: o.feedback === null ? null : pgText(o.feedback).slice(0, FEEDBACK_MAX_CHARS),
        timeMs: o.timeMs,
        memoryKb: o.memoryKb,
      })),
    });
    await tx.grading.update({
      where: { id: ids.gradingId },
      data: {
        score: outcome.score,
        maxScore: outcome.maxScore,
        compileError: outcome.compileError,
        compileOutput: outcome.compileOutput === null ? null : pgText(outcome.compileOutput).slice(0, 64 * 1024),
        finishedAt,
      },
    });
    return true;
  });
}

function capped(bytes: Buffer): Buffer {
  return bytes.length > RESULT_OUTPUT_MAX_BYTES ? bytes.subarray(0, RESULT_OUTPUT_MAX_BYTES) : bytes;
}

/** PostgreSQL text cannot hold NUL: shown as the replacement character. */
function pgText(s: string): string {
  return s.replace(/\0/g, "\uFFFD");
}

import { diffLines } from "diff";

/** One run of lines of a diff of expected against actual output. */
export interface DiffPart {
  kind: "same" | "expected" | "actual";
  text: string;
}

/** Above this many bytes on either side the diff is not made (the outputs are still shown). */
export const MAX_DIFF_BYTES = 64 * 1024;

/**
 * How long one diff may take, and all the diffs of one grading's view
 * together. Myers' diff costs about the square of the edit distance: 8,000
 * lines that all differ took 28 s, 32,000 (64 KiB of "b\n", which any
 * student's program can print) minutes, in the web process's event loop, on
 * every view of the grading (the student's, the teacher's). Past the time
 * the diff is not shown (the outputs still are).
 */
export const DIFF_TIMEOUT_MS = 100;
export const DIFF_VIEW_BUDGET_MS = 300;

/**
 * The line diff of the expected output against the program's (jsdiff's
 * Myers diff): "expected" runs are missing from the output, "actual" runs
 * were printed instead. Null when either side is too large to diff cheaply,
 * or the diff takes longer than `timeoutMs`.
 */
export function outputDiff(expected: string, actual: string, timeoutMs = DIFF_TIMEOUT_MS): DiffPart[] | null {
  if (Buffer.byteLength(expected) > MAX_DIFF_BYTES || Buffer.byteLength(actual) > MAX_DIFF_BYTES) return null;
  if (timeoutMs <= 0) return null;
  const changes = diffLines(expected, actual, { timeout: timeoutMs });
  if (!changes) return null;
  return changes.map((c) => ({ kind: c.added ? "actual" : c.removed ? "expected" : "same", text: c.value }));
}

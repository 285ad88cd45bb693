import { diffLines } from "diff";

/** One run of lines of a diff of expected against actual output. */
export interface DiffPart {
  kind: "same" | "expected" | "actual";
  text: string;
}

/** Above this many bytes on either side the diff is not made (the outputs are still shown). */
export const MAX_DIFF_BYTES = 64 * 1024;

/**
 * Above this many differing lines the diff is not made. Myers' diff costs
 * about (lines x differences): two outputs of 32,000 different short lines
 * (64 KiB each, a student's program can print them) took minutes of the web
 * process's only thread. Bounded, the worst case is some tens of
 * milliseconds, and a diff with more differences than this helps nobody.
 */
export const MAX_DIFF_EDITS = 200;

/** The bytes one grading view diffs in all (both sides of every test): a view of 100 tests stays cheap. */
export const MAX_VIEW_DIFF_BYTES = 256 * 1024;

/**
 * The line diff of the expected output against the program's (jsdiff's
 * Myers diff): "expected" runs are missing from the output, "actual" runs
 * were printed instead. Null when either side is too large, or they differ
 * in too many lines, to diff cheaply.
 */
export function outputDiff(expected: string, actual: string): DiffPart[] | null {
  if (Buffer.byteLength(expected) > MAX_DIFF_BYTES || Buffer.byteLength(actual) > MAX_DIFF_BYTES) return null;
  const changes = diffLines(expected, actual, { maxEditLength: MAX_DIFF_EDITS });
  if (!changes) return null;
  return changes.map((c) => ({ kind: c.added ? "actual" : c.removed ? "expected" : "same", text: c.value }));
}

/** outputDiff for the tests of one view, until MAX_VIEW_DIFF_BYTES are spent (then null: the outputs are still shown). */
export function diffBudget(maxBytes = MAX_VIEW_DIFF_BYTES): (expected: string, actual: string) => DiffPart[] | null {
  let left = maxBytes;
  return (expected, actual) => {
    const cost = Buffer.byteLength(expected) + Buffer.byteLength(actual);
    if (cost > left) return null;
    left -= cost;
    return outputDiff(expected, actual);
  };
}

import { diffLines } from "diff";

/** One run of lines of a diff of expected against actual output. */
export interface DiffPart {
  kind: "same" | "expected" | "actual";
  text: string;
}

/** Above this many bytes on either side the diff is not made (the outputs are still shown). */
export const MAX_DIFF_BYTES = 64 * 1024;

/**
 * The line diff of the expected output against the program's (jsdiff's
 * Myers diff): "expected" runs are missing from the output, "actual" runs
 * were printed instead. Null when either side is too large to diff cheaply.
 */
export function outputDiff(expected: string, actual: string): DiffPart[] | null {
  if (Buffer.byteLength(expected) > MAX_DIFF_BYTES || Buffer.byteLength(actual) > MAX_DIFF_BYTES) return null;
  return diffLines(expected, actual).map((c) => ({ kind: c.added ? "actual" : c.removed ? "expected" : "same", text: c.value }));
}

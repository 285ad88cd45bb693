import type { Comparison } from "../tests/spec";
import { numbersMatch } from "./numbers";
import { regexMatch } from "./regex";
import { sameLinesIgnoringTrailingWhitespace, sameTokens } from "./text";

/**
 * Compares a program's stdout with the expected stdout, in the runner
 * process (never inside the student's sandbox), as the test's comparison
 * says (lib/classroom/tests/spec.ts comparisonSchema).
 *
 * Output is bytes and may be anything (invalid UTF-8, NUL, \r\n, megabytes).
 * exact, trailing_whitespace, tokens and numbers read both sides as latin1,
 * where every byte is one character: whitespace is ASCII, so splitting and
 * trimming work on the exact bytes (walked in step, never split: text.ts) and invalid UTF-8 compares byte for byte,
 * never as a replacement character equal to another. regex reads the output
 * as UTF-8 (the teacher writes the pattern as text), bounded: see regex.ts.
 * Sizes are bounded before: stdout by the run's output limit, the expected
 * text by the test's (TEST_LIMITS.maxTextBytes); every mode is linear in them.
 */
export interface ComparisonResult {
  match: boolean;
  /** Why it did not match when the reason is not the content (an invalid pattern, a regex that took too long). */
  note?: string;
  /** The teacher's test is at fault (an invalid regex): judge_error, not the student's wrong answer. */
  judgeError?: boolean;
}

export function compareOutput(comparison: Comparison, expected: string | Uint8Array, actual: Uint8Array): ComparisonResult {
  const expectedBytes = typeof expected === "string" ? Buffer.from(expected, "utf8") : Buffer.from(expected);
  const actualBytes = Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  switch (comparison.mode) {
    case "exact":
      return { match: expectedBytes.equals(actualBytes) };
    case "trailing_whitespace":
      return { match: sameLinesIgnoringTrailingWhitespace(expectedBytes, actualBytes) };
    case "tokens":
      return { match: sameTokens(expectedBytes, actualBytes) };
    case "numbers":
      return { match: numbersMatch(expectedBytes, actualBytes, comparison.absoluteTolerance, comparison.relativeTolerance) };
    case "regex":
      return regexMatch(expectedBytes.toString("utf8"), comparison.flags, actualBytes);
  }
}

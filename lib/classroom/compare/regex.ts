import vm from "node:vm";
import type { ComparisonResult } from "./index";

/**
 * The whole output must match the teacher's pattern, from its first to its
 * last character whatever the flags (sticky at 0, then (?![\s\S]) for the
 * end: ^ and $ would mean line ends under `m`), so a pattern cannot pass by
 * matching a fragment. JavaScript
 * regular expressions backtrack: a pattern like (a+)+$ against a crafted
 * output can take for ever. Bounded two ways:
 *  - the output matched is at most REGEX_MAX_INPUT_BYTES (longer: no match,
 *    said in `note`);
 *  - matching runs in a vm context with a REGEX_TIMEOUT_MS timeout: V8
 *    interrupts a running regex when the timeout fires, so the runner's
 *    event loop is held at most that long; a timeout is no match.
 * Output is decoded as UTF-8 (invalid bytes become U+FFFD).
 */
export const REGEX_MAX_INPUT_BYTES = 1024 * 1024;
export const REGEX_TIMEOUT_MS = 1000;

export function regexMatch(pattern: string, flags: string, output: Buffer, timeoutMs = REGEX_TIMEOUT_MS): ComparisonResult {
  let re: RegExp;
  try {
    re = new RegExp(`(?:${pattern})(?![\\s\\S])`, `${flags.replace(/[^imsu]/g, "")}y`);
  } catch (err) {
    return { match: false, judgeError: true, note: `the test's regular expression is invalid: ${(err as Error).message}` };
  }
  if (output.length > REGEX_MAX_INPUT_BYTES) {
    return {
      match: false,
      note: `the output (${output.length} bytes) is longer than the ${REGEX_MAX_INPUT_BYTES} bytes a regular expression is matched against`,
    };
  }
  re.lastIndex = 0;
  const context = vm.createContext({ re, text: output.toString("utf8") });
  try {
    return { match: vm.runInContext("re.test(text)", context, { timeout: timeoutMs }) === true };
  } catch {
    return { match: false, note: `matching the output against the test's regular expression took longer than ${timeoutMs} ms` };
  }
}

import { Worker } from "node:worker_threads";
import type { ComparisonResult } from "../../lib/classroom/compare";
import { REGEX_MAX_INPUT_BYTES, REGEX_TIMEOUT_MS, regexMatch } from "../../lib/classroom/compare/regex";

/**
 * The "regex" comparison, off the runner's event loop. regexMatch bounds a
 * backtracking pattern to REGEX_TIMEOUT_MS, but it runs synchronously: the
 * teacher's pattern against a student's crafted output held the runner's
 * event loop a full second per test (every other run of the runner, its
 * streams and timers waited), a hundred seconds over a grading of 100 such
 * tests. Here the match runs in a worker thread of its own, ended when the
 * time is up; the runner's loop only waits for its answer.
 *
 * The worker's code is plain JavaScript (no module of ours to load) and
 * builds the pattern exactly as regexMatch does: anchored at both ends.
 */
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const { pattern, flags, text } = workerData;
const re = new RegExp("(?:" + pattern + ")(?![\\\\s\\\\S])", flags.replace(/[^imsu]/g, "") + "y");
re.lastIndex = 0;
parentPort.postMessage(re.test(text) === true);
`;

/** Beyond the match's own time: starting the worker (a thread and a V8 isolate). */
const WORKER_START_ALLOWANCE_MS = 2000;

export async function regexMatchOffThread(pattern: string, flags: string, output: Buffer, timeoutMs = REGEX_TIMEOUT_MS): Promise<ComparisonResult> {
  // An invalid pattern and an output too long are decided here, at once (no match runs).
  try {
    new RegExp(`(?:${pattern})(?![\\s\\S])`, `${flags.replace(/[^imsu]/g, "")}y`);
  } catch {
    return regexMatch(pattern, flags, Buffer.alloc(0));
  }
  if (output.length > REGEX_MAX_INPUT_BYTES) return regexMatch(pattern, flags, output);

  const tooLong = { match: false, note: `matching the output against the test's regular expression took longer than ${timeoutMs} ms` };
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { pattern, flags, text: output.toString("utf8") },
    resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 },
    stdout: true,
    stderr: true,
  });
  return new Promise<ComparisonResult>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const done = (result: ComparisonResult) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(result);
    };
    // The match's clock starts when the worker is up (its start is not the pattern's time).
    worker.once("online", () => {
      clearTimeout(timer);
      timer = setTimeout(() => done(tooLong), timeoutMs);
    });
    timer = setTimeout(() => done(tooLong), timeoutMs + WORKER_START_ALLOWANCE_MS);
    worker.once("message", (match: boolean) => done({ match: match === true }));
    // Out of memory, a pattern too large to compile: no match, as a timeout is.
    worker.once("error", (err) =>
      done({ match: false, note: `matching the output against the test's regular expression failed: ${err.message.slice(0, 200)}` }),
    );
    worker.once("exit", () => done(tooLong));
  });
}

import type { Verdict } from "../../lib/classroom/verdicts";
import type { RunLimits } from "../../lib/executions/limits";
import { fileNameSchema } from "../../lib/executions/request";
import type { GradingEnv, GradingFile } from "./env";
import { fractionOf, parseGradescopeResults, RESULTS_LIMITS, summarize } from "./gradescope-results";
import { killedAtMemoryLimit, newReportMarker, readReport, reportBytes, reportScript, type ReportSection } from "./sandbox-report";

/**
 * A test command over the student's files, Gradescope-style (e.g. `pytest`,
 * JUnit through javac/java): the command runs in a fresh sandbox holding the
 * student's files (and their build, if any) beside the teacher's `files`,
 * and writes a results file in Gradescope's results.json shape, which is then
 * read back (sandbox-report.ts) and scored: fraction = sum(score) /
 * sum(max_score), or passed/total without scores.
 *
 * The student's code runs in the same sandbox as the harness, so it could
 * write the results file itself (as on Gradescope): command tests are for
 * unit testing, not for tamper-proof judging (io and checker tests are).
 */

export interface CommandSpec {
  command: string;
  files: { name: string; content: string }[];
  resultsFile: string;
}

export interface CommandTestResult {
  verdict: Verdict;
  fraction: number;
  feedback: string;
  stdout: Buffer;
  stderr: Buffer;
  timeMs: number | null;
  memoryKb: number | null;
}

/** The launcher runs every test command in bash; the toolchains (pytest, java, ...) are all in the one image. */
const COMMAND_LANGUAGE = "bash";

const SECTIONS: ReportSection[] = [{ pathVariable: "results_file", maxBytes: RESULTS_LIMITS.maxBytes, from: "head" }];

export async function runCommandTest(
  env: GradingEnv,
  spec: CommandSpec,
  student: { files: { name: string; content: string }[]; build: Buffer | null },
  limits: RunLimits,
): Promise<CommandTestResult> {
  const badName = [...spec.files.map((f) => f.name), spec.resultsFile].map(fileProblem).find((p) => p !== undefined);
  if (badName) return judgeError(`the test's files: ${badName}`);
  // The command reaches bash through exec, which cannot carry a NUL.
  if (spec.command.includes("\0")) return judgeError("the test command must not contain NUL");

  const marker = newReportMarker();
  const result = await env.run({
    language: COMMAND_LANGUAGE,
    files: projectFiles(spec.files, student.files),
    // The command and the results file's path reach the script as "$1" and "$2", never as its text.
    args: [spec.command, spec.resultsFile],
    build: student.build,
    command: commandScript(marker),
    // The report travels on stdout too: room for it beyond the test's own output limit.
    limits: { ...limits, outputKb: limits.outputKb + Math.ceil(reportBytes(marker, SECTIONS) / 1024) },
  });

  // The report's script exits 0 after printing it; any other end means it never ran to its end (was killed).
  const report = result.exitCode === 0 ? readReport(result.bytes.stdout, marker, SECTIONS) : undefined;
  const stdout = report ? report.before : result.bytes.stdout;
  const stderr = result.bytes.stderr;
  // What is kept of the command's output stays within the test's own output limit (the run had more room, for the report).
  const cap = limits.outputKb * 1024;
  const kept = stdout.subarray(0, cap);
  const ran = { stdout: kept, stderr: stderr.subarray(0, cap - kept.length), timeMs: result.wallTimeMs, memoryKb: result.memoryKb };
  const limitHit = limitVerdict(result.status, stdout.length + stderr.length > cap);
  if (limitHit) return { ...ran, ...limitHit, fraction: 0 };
  if (!report)
    return {
      ...ran,
      verdict: "judge_error",
      fraction: 0,
      feedback: `the test command's sandbox ended without a report (${result.status}, exit status ${result.exitCode ?? result.signal})`,
    };

  const file = report.sections[0];
  // The kernel killed the command (or the code it ran) at the memory limit before it wrote its results.
  if (!file && killedAtMemoryLimit(report.status, result.memoryKb, limits.memoryMb))
    return { ...ran, verdict: "memory_limit", fraction: 0, feedback: `the test command was killed at the memory limit (${limits.memoryMb} MiB)` };
  if (!file)
    return {
      ...ran,
      verdict: "judge_error",
      fraction: 0,
      feedback: `the test command (exit status ${report.status}) wrote no results file ${spec.resultsFile}`,
    };
  if (file.truncated)
    return { ...ran, verdict: "judge_error", fraction: 0, feedback: `the results file ${spec.resultsFile} is larger than ${RESULTS_LIMITS.maxBytes} bytes` };
  const parsed = parseGradescopeResults(file.bytes);
  if (!parsed.ok)
    return {
      ...ran,
      verdict: "judge_error",
      fraction: 0,
      feedback: `the results file ${spec.resultsFile} is not in Gradescope's results.json shape: ${parsed.problem}`,
    };
  const fraction = fractionOf(parsed.results);
  return { ...ran, verdict: fraction === 1 ? "passed" : "wrong_answer", fraction, feedback: summarize(parsed.results) };
}

/**
 * The sandbox's /work: the student's files, then the teacher's (which win a
 * name both use, so a student cannot replace the harness's own files before
 * it starts).
 */
function projectFiles(teacher: CommandSpec["files"], student: CommandSpec["files"]): GradingFile[] {
  const taken = new Set(teacher.map((f) => f.name));
  // A student file under a teacher's file name (or a file where the teacher needs a folder) would collide: the teacher's wins.
  const clashes = (name: string) => taken.has(name) || teacher.some((t) => t.name.startsWith(`${name}/`) || name.startsWith(`${t.name}/`));
  return [...student.filter((f) => !clashes(f.name)), ...teacher];
}

/**
 * Runs "$1" with bash in /work, stdin empty, its output going to the run's
 * streams (the test's output); then the report with the results file "$2".
 */
function commandScript(marker: string): string {
  return [
    "results_file=$2",
    'bash -c "$1" < /dev/null',
    "command_status=$?",
    // The command may have left /work; the results path is relative to it.
    "cd /work || exit 125",
    reportScript(marker, "command_status", SECTIONS),
  ].join("\n");
}

function limitVerdict(status: string, printedTooMuch: boolean): { verdict: Verdict; feedback: string } | undefined {
  if (status === "time_limit_exceeded") return { verdict: "time_limit", feedback: "the test command did not finish within the time limit" };
  if (status === "memory_limit_exceeded") return { verdict: "memory_limit", feedback: "the test command went over the memory limit" };
  if (status === "output_limit_exceeded" || printedTooMuch) return { verdict: "output_limit", feedback: "the test command printed more than the output limit" };
  return undefined;
}

function fileProblem(name: string): string | undefined {
  const parsed = fileNameSchema.safeParse(name);
  return parsed.success ? undefined : `"${name.slice(0, 100)}": ${parsed.error.issues[0]?.message}`;
}

function judgeError(feedback: string): CommandTestResult {
  return { verdict: "judge_error", fraction: 0, feedback, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), timeMs: null, memoryKb: null };
}

import { createHash } from "node:crypto";
import type { RunLimits } from "../../lib/executions/limits";
import { fileNameSchema } from "../../lib/executions/request";
import type { GradingEnv } from "./env";
import { killedAtMemoryLimit, newReportMarker, readReport, reportBytes, reportScript, type ReportSection } from "./sandbox-report";

/**
 * A test judged by the teacher's checker, in the Kattis output-validator
 * convention so existing validators work unchanged: the checker runs in a
 * sandbox of its own (never the student's) as
 *
 *     <checker> input_file answer_file feedback_dir/ [args...] < student_output
 *
 * and exits 42 (accepted) or 43 (wrong answer); anything else (another
 * status, a crash, a limit) is the checker failing: judge_error, never held
 * against the student. feedback_dir/judgemessage.txt is the message shown.
 *
 * The checker is compiled once per grading (`cache`, one per grading). Its
 * sandbox holds only the checker, this test's input, answer and the
 * student's output (untrusted bytes: a file, never shell text).
 */

/** What a checker gets at least (a language may need more, e.g. the JVM), clamped to the server's maximum. */
export const CHECKER_LIMITS = { cpuTimeMs: 10_000, wallTimeMs: 20_000, memoryMb: 512 };
/** The judge message shown is cut at this size (Kattis keeps it short too). */
export const JUDGE_MESSAGE_MAX_BYTES = 16 * 1024;
/** The end of the checker's stderr, shown with a judge_error (for the teacher). */
const CHECKER_STDERR_MAX_BYTES = 2 * 1024;
/** The checker's inputs sit here in /work; a checker file may not use this folder. */
const IO_DIR = ".sam-judge";

export interface CheckerSpec {
  language: string;
  files: { name: string; content: string }[];
  args: string[];
}

export interface CheckerVerdict {
  verdict: "passed" | "wrong_answer" | "judge_error";
  feedback: string;
}

export async function judgeWithChecker(
  env: GradingEnv,
  checker: CheckerSpec,
  io: { input: Buffer; answer: Buffer; output: Buffer },
  cache: Map<string, Buffer>,
): Promise<CheckerVerdict> {
  const language = env.languages.get(checker.language);
  if (!language) return judgeError(`the checker's language "${checker.language}" is not available on this runner`);
  const badName = checker.files.map((f) => fileProblem(f.name)).find((p) => p !== undefined);
  if (badName) return judgeError(`the checker's files: ${badName}`);
  // Args reach the checker through exec, which cannot carry a NUL.
  if (checker.args.some((a) => a.includes("\0"))) return judgeError("the checker's args must not contain NUL");

  const limits = checkerLimits(env, checker.language);
  const build = await buildOnce(env, checker, limits, cache);
  if (!build.ok) return judgeError(`the checker did not compile:\n${build.output.slice(0, 4000)}`);

  const marker = newReportMarker();
  const result = await env.run({
    language: checker.language,
    files: [
      ...checker.files,
      { name: `${IO_DIR}/input`, content: io.input },
      { name: `${IO_DIR}/answer`, content: io.answer },
      { name: `${IO_DIR}/output`, content: io.output },
    ],
    args: checker.args,
    build: build.tar,
    command: checkerCommand(marker, language.run),
    limits: { ...limits, outputKb: Math.ceil(reportBytes(marker, SECTIONS) / 1024) + 1 },
  });

  if (result.status === "time_limit_exceeded")
    return judgeError(`the checker did not finish within its time limit (${limits.cpuTimeMs / 1000} s CPU, ${limits.wallTimeMs / 1000} s)`);
  if (result.status === "memory_limit_exceeded") return judgeError(`the checker went over its memory limit (${limits.memoryMb} MiB)`);
  // The report's script exits 0 after printing it; any other end means it never ran to its end (was killed).
  const report = result.exitCode === 0 ? readReport(result.bytes.stdout, marker, SECTIONS) : undefined;
  if (!report) return judgeError(`the checker's sandbox ended without a report (${result.status}, exit status ${result.exitCode ?? result.signal})`);

  const message = report.sections[0] ? text(report.sections[0].bytes, report.sections[0].truncated) : "";
  if (report.status === 42) return { verdict: "passed", feedback: message };
  if (report.status === 43) return { verdict: "wrong_answer", feedback: message };
  if (killedAtMemoryLimit(report.status, result.memoryKb, limits.memoryMb))
    return judgeError(`the checker went over its memory limit (${limits.memoryMb} MiB)`);
  const judgeErrorText = report.sections[2]?.bytes.length ? `\nits judgeerror.txt:\n${text(report.sections[2].bytes, report.sections[2].truncated)}` : "";
  const stderr = report.sections[1]?.bytes.length ? `\nits stderr (end):\n${text(report.sections[1].bytes, false)}` : "";
  return judgeError(`${exitProblem(report.status)}${judgeErrorText}${message ? `\nits judge message:\n${message}` : ""}${stderr}`);
}

/**
 * The report's sections (paths in shell variables of the command): the judge
 * message, the end of the checker's stderr, and Kattis's judgeerror.txt (a
 * validator's note that the judge's own data is wrong), shown with a judge_error.
 */
const SECTIONS: ReportSection[] = [
  { pathVariable: "judge_message", maxBytes: JUDGE_MESSAGE_MAX_BYTES, from: "head" },
  { pathVariable: "checker_stderr", maxBytes: CHECKER_STDERR_MAX_BYTES, from: "tail" },
  { pathVariable: "judge_error", maxBytes: CHECKER_STDERR_MAX_BYTES, from: "head" },
];

/**
 * The checker's run: the language's own run command (trusted, from its
 * definition) with the Kattis arguments before the teacher's args, the
 * student's output on stdin, the checker's stdout discarded and its stderr
 * kept in a file; then the report (sandbox-report.ts). No user data is in
 * this text: files and args reach the checker as files and "$@".
 */
function checkerCommand(marker: string, languageRun: string): string {
  return [
    "judge_message=/tmp/sam-feedback/judgemessage.txt",
    "checker_stderr=/tmp/sam-checker-stderr",
    "judge_error=/tmp/sam-feedback/judgeerror.txt",
    "mkdir -p /tmp/sam-feedback || exit 125",
    `( set -- ${IO_DIR}/input ${IO_DIR}/answer /tmp/sam-feedback/ "$@"; eval ${shellQuote(languageRun)} ) < ${IO_DIR}/output > /dev/null 2> "$checker_stderr"`,
    "checker_status=$?",
    reportScript(marker, "checker_status", SECTIONS),
  ].join("\n");
}

/** The checker's build, compiled at most once per grading (a failed compile is remembered too). */
async function buildOnce(
  env: GradingEnv,
  checker: CheckerSpec,
  limits: RunLimits,
  cache: Map<string, Buffer>,
): Promise<{ ok: true; tar: Buffer | null } | { ok: false; output: string }> {
  const key = `checker:${checker.language}:${digest(checker.files)}`;
  const built = cache.get(`${key}:tar`);
  if (built) return { ok: true, tar: built };
  const failed = cache.get(`${key}:failed`);
  if (failed) return { ok: false, output: failed.toString("utf8") };
  const build = await env.build(checker.language, checker.files, limits);
  if (!build.ok) cache.set(`${key}:failed`, Buffer.from(build.output));
  else if (build.tar) cache.set(`${key}:tar`, build.tar);
  return build;
}

function checkerLimits(env: GradingEnv, language: string): RunLimits {
  const base = env.limitsFor(language);
  // At least CHECKER_LIMITS, or what the language asks for if that is more (limitsFor clamps to the maximum).
  return env.limitsFor(language, {
    cpuTimeMs: Math.max(base.cpuTimeMs, CHECKER_LIMITS.cpuTimeMs),
    wallTimeMs: Math.max(base.wallTimeMs, CHECKER_LIMITS.wallTimeMs),
    memoryMb: Math.max(base.memoryMb, CHECKER_LIMITS.memoryMb),
  });
}

function fileProblem(name: string): string | undefined {
  const parsed = fileNameSchema.safeParse(name);
  if (!parsed.success) return `"${name.slice(0, 100)}": ${parsed.error.issues[0]?.message}`;
  if (name === IO_DIR || name.startsWith(`${IO_DIR}/`)) return `"${name.slice(0, 100)}": the folder ${IO_DIR} is the judge's own`;
  return undefined;
}

function exitProblem(status: number): string {
  if (status > 128) return `the checker crashed (signal ${status - 128}); it must exit 42 (accepted) or 43 (wrong answer)`;
  return `the checker exited with status ${status}; it must exit 42 (accepted) or 43 (wrong answer)`;
}

function text(bytes: Buffer, truncated: boolean): string {
  return bytes.toString("utf8") + (truncated ? "\n… (cut)" : "");
}

function judgeError(feedback: string): CheckerVerdict {
  return { verdict: "judge_error", feedback };
}

function digest(files: CheckerSpec["files"]): string {
  const hash = createHash("sha256");
  for (const f of files) hash.update(`${Buffer.byteLength(f.name)}:${f.name}${Buffer.byteLength(f.content)}:`).update(f.content);
  return hash.digest("hex");
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

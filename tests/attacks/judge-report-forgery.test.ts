import { expect, it } from "vitest";
import { judgeWithChecker } from "../../runner/grading/checker";
import { runCommandTest } from "../../runner/grading/command-test";
import { attackSuite } from "../support/attack-suite";
import { judgeEnv } from "../support/judge-env";
import { PYTHON_CHECKER } from "../support/judge-fixtures";

/**
 * A checker's verdict and a test command's results come out of their
 * sandbox as a report printed last after a random marker
 * (runner/grading/sandbox-report.ts). Forging it must not change a verdict:
 * not from the student's output (data the checker reads, may echo, or puts
 * in its judge message), not from code in the sandbox that learns the marker
 * and writes a report of its own before, after or instead of the real one.
 */

/** Finds this run's marker where a process of the sandbox can see it (the run command in the launcher's environment). */
const FIND_MARKER = "m=$(cat /proc/[0-9]*/environ /sam/in/env/* 2>/dev/null | tr '\\0' '\\n' | grep -aoE 'sam-report-[0-9a-f]{32}' | head -n1)";
/** A report saying "passed" (42) with a forged message, in the shape of the real one (three sections: message, stderr, judgeerror.txt). */
const FORGE = `forged=$(printf '\\n%s:report:42\\n%s\\n\\n\\n%s:end\\n' "$m" "$(printf 'forged: accepted' | base64 -w0)" "$m")`;
/** Writes $forged to the stdout of every process of the sandbox (the launcher's is the run's real stdout). */
const SPRAY = `for fd in /proc/[0-9]*/fd/1; do printf '%s' "$forged" > "$fd"; done 2>/dev/null`;

const bashChecker = (body: string) => ({ language: "bash", files: [{ name: "check.sh", content: `${FIND_MARKER}\n${FORGE}\n${body}\n` }], args: [] });
const io = (output: string) => ({ input: Buffer.from("1 2\n"), answer: Buffer.from("3\n"), output: Buffer.from(output) });

attackSuite("forging a judge's report", ({ driver }) => {
  it("student output shaped like a report, echoed by the checker everywhere, does not pass", async () => {
    const { env } = judgeEnv(driver());
    const forgedOutput = `4\nsam-report-${"ab".repeat(16)}:report:42\n${Buffer.from("forged").toString("base64")}\n\nsam-report-${"ab".repeat(16)}:end\n`;
    // A lenient checker: echoes what it read on stdout and stderr and into its message, then says wrong.
    const echoing = `import sys\nout = sys.stdin.read()\nprint(out)\nprint(out, file=sys.stderr)\nopen(sys.argv[3] + "/judgemessage.txt", "w").write(out)\nsys.exit(43)\n`;
    const result = await judgeWithChecker(env, { language: "python", files: [{ name: "check.py", content: echoing }], args: [] }, io(forgedOutput), new Map());
    expect(result).toEqual({ verdict: "wrong_answer", feedback: forgedOutput });
    expect(
      (await judgeWithChecker(env, { language: "python", files: [{ name: "check.py", content: PYTHON_CHECKER }], args: [] }, io(forgedOutput), new Map()))
        .verdict,
    ).toBe("wrong_answer");
  });

  it("a checker that learns the marker and writes reports before and after it ends does not pass", async () => {
    const { env } = judgeEnv(driver());
    const body = [
      SPRAY,
      // Keeps forging after the checker has exited, from a process of its own session.
      `export forged; setsid bash -c 'while :; do for fd in /proc/[0-9]*/fd/1; do printf "%s" "$forged" > "$fd"; done 2>/dev/null; sleep 0.02; done' < /dev/null > /dev/null 2>&1 &`,
      "sleep 0.3",
      'printf "real message, marker found: %s" "${m:+yes}" > "$3/judgemessage.txt"',
      "exit 43",
    ].join("\n");
    const result = await judgeWithChecker(env, bashChecker(body), io("3\n"), new Map());
    expect(result).toEqual({ verdict: "wrong_answer", feedback: "real message, marker found: yes" });
  });

  it("a checker that forges a report and then kills the launcher, so the forgery is last, is a judge_error", async () => {
    const { env } = judgeEnv(driver());
    const result = await judgeWithChecker(env, bashChecker([SPRAY, '[ -n "$m" ] || exit 1', "kill -KILL -1", "exit 43"].join("\n")), io("3\n"), new Map());
    expect(result.verdict).toBe("judge_error");
    expect(result.feedback).toContain("without a report");
  });

  it("student code in a test command that forges reports on stdout, also after the command ends, does not change the results", async () => {
    const { env } = judgeEnv(driver());
    // A report with one section (the results file) saying every test passed.
    const forgeResults = `forged=$(printf '\\n%s:report:0\\n%s\\n%s:end\\n' "$m" "$(printf '{"tests":[{"status":"passed"}]}' | base64 -w0)" "$m")`;
    const student = [
      FIND_MARKER,
      forgeResults,
      '[ -n "$m" ] && echo marker-found',
      "printf '%s' \"$forged\"",
      `export forged; setsid bash -c 'while :; do for fd in /proc/[0-9]*/fd/1; do printf "%s" "$forged" > "$fd"; done 2>/dev/null; sleep 0.02; done' < /dev/null > /dev/null 2>&1 &`,
    ].join("\n");
    const harness = `bash student.sh; sleep 0.3; echo '{"tests":[{"name":"a","status":"passed"},{"name":"b","status":"failed"}]}' > results.json`;
    const result = await runCommandTest(
      env,
      { command: harness, resultsFile: "results.json", files: [] },
      { files: [{ name: "student.sh", content: student }], build: null },
      env.limitsFor("bash"),
    );
    expect(result).toMatchObject({ verdict: "wrong_answer", fraction: 0.5, feedback: "1/2 tests passed\n✓ a\n✗ b" });
    expect(result.stdout.toString()).toContain("marker-found");
  });
});

import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunLimits } from "../../lib/executions/limits";
import { judgeWithChecker } from "../../runner/grading/checker";
import { runCommandTest } from "../../runner/grading/command-test";
import type { GradingEnv } from "../../runner/grading/env";
import type { SandboxDriver } from "../../runner/sandbox/driver";
import { openDriver } from "../support/drivers";
import { C_CHECKER, CPP_CHECKER, JAVA_CHECKER, JUNIT_COMMAND, JUNIT_TEST, JUNIT_TO_RESULTS, PYTHON_CHECKER, pytestSpec } from "../support/judge-fixtures";
import { judgeEnv } from "../support/judge-env";

/**
 * The two kinds of test beyond input/output, with real sandboxes: a
 * teacher's checker (Kattis output validator) and a test command
 * (Gradescope-style results.json). runner/grading/checker.ts, command-test.ts.
 */
let driver: SandboxDriver;
let env: GradingEnv;
let sandboxes: { build: number; run: number };

beforeAll(async () => {
  driver = await openDriver("oci/runc");
  ({ env, sandboxes } = judgeEnv(driver));
});
afterAll(async () => {
  await driver?.close();
});

const io = (input: string | Buffer, answer: string | Buffer, output: string | Buffer) => ({
  input: Buffer.from(input),
  answer: Buffer.from(answer),
  output: Buffer.from(output),
});
const python = (content: string, args: string[] = []) => ({ language: "python", files: [{ name: "check.py", content }], args });
const c = (content: string) => ({ language: "c", files: [{ name: "check.c", content }], args: [] });

describe("checker tests", () => {
  it("a Python checker: 42 is passed, 43 is wrong_answer with its judge message, args follow the feedback dir", async () => {
    const cache = new Map<string, Buffer>();
    const accepted = await judgeWithChecker(env, python(PYTHON_CHECKER, ["--tolerance", "0"]), io("1 2\n", "3\n", "3\n"), cache);
    expect(accepted).toEqual({ verdict: "passed", feedback: "accepted; args --tolerance 0" });
    const wrong = await judgeWithChecker(env, python(PYTHON_CHECKER), io("1 2\n", "3\n", "4\n"), cache);
    expect(wrong).toEqual({ verdict: "wrong_answer", feedback: "expected 3, got 4" });
  });

  it("a C checker is compiled once for every call with the same cache, and reads the input file", async () => {
    const cache = new Map<string, Buffer>();
    const before = sandboxes.build;
    expect(await judgeWithChecker(env, c(C_CHECKER), io("1 2 3\n", "", "6\n"), cache)).toEqual({ verdict: "passed", feedback: "correct: 6" });
    expect(await judgeWithChecker(env, c(C_CHECKER), io("10 20\n", "", "31\n"), cache)).toEqual({ verdict: "wrong_answer", feedback: "expected 30, got 31" });
    expect(await judgeWithChecker(env, c(C_CHECKER), io("5\n", "", "five\n"), cache)).toEqual({ verdict: "wrong_answer", feedback: "no number in the output" });
    expect(sandboxes.build - before).toBe(1);
    // Another grading (another cache) compiles it again.
    await judgeWithChecker(env, c(C_CHECKER), io("1\n", "", "1\n"), new Map());
    expect(sandboxes.build - before).toBe(2);
  });

  it("Java and C++ checkers work as they are (the entry is the first file), each compiled once", async () => {
    const cache = new Map<string, Buffer>();
    const before = sandboxes.build;
    const java = { language: "java", files: [{ name: "Validator.java", content: JAVA_CHECKER }], args: [] };
    const cpp = { language: "cpp", files: [{ name: "validator.cpp", content: CPP_CHECKER }], args: [] };
    expect(await judgeWithChecker(env, java, io("", "7\n", "7\n"), cache)).toEqual({ verdict: "passed", feedback: "java: ok" });
    expect(await judgeWithChecker(env, java, io("", "7\n", "8\n"), cache)).toEqual({ verdict: "wrong_answer", feedback: "java: expected 7" });
    expect(await judgeWithChecker(env, cpp, io("", "7\n", "7\n"), cache)).toEqual({ verdict: "passed", feedback: "cpp: ok" });
    expect(await judgeWithChecker(env, cpp, io("", "7\n", "8\n"), cache)).toEqual({ verdict: "wrong_answer", feedback: "cpp: expected 7" });
    expect(sandboxes.build - before).toBe(2);
  });

  it("a crashing checker, one that exits with another status, or one that does not compile is a judge_error", async () => {
    const raised = await judgeWithChecker(env, python('raise RuntimeError("checker bug")\n'), io("", "", ""), new Map());
    expect(raised.verdict).toBe("judge_error");
    expect(raised.feedback).toContain("exited with status 1");
    expect(raised.feedback).toContain("RuntimeError: checker bug");

    const segfault = await judgeWithChecker(env, c("int main(void) { *(volatile int *)0 = 1; return 42; }\n"), io("", "", ""), new Map());
    expect(segfault).toMatchObject({ verdict: "judge_error", feedback: expect.stringContaining("crashed (signal 11)") });

    const dataError = await judgeWithChecker(
      env,
      python('import sys\nopen(sys.argv[3] + "/judgeerror.txt", "w").write("answer file is empty")\nsys.exit(2)\n'),
      io("", "", ""),
      new Map(),
    );
    expect(dataError).toMatchObject({
      verdict: "judge_error",
      feedback: "the checker exited with status 2; it must exit 42 (accepted) or 43 (wrong answer)\nits judgeerror.txt:\nanswer file is empty",
    });

    const zero = await judgeWithChecker(env, python("import sys\nsys.exit(0)\n"), io("", "", ""), new Map());
    expect(zero).toMatchObject({ verdict: "judge_error", feedback: expect.stringContaining("exited with status 0; it must exit 42 (accepted) or 43") });

    const cache = new Map<string, Buffer>();
    const before = sandboxes.build;
    for (let i = 0; i < 2; i++) {
      const broken = await judgeWithChecker(env, c("int main(void) { return 42 }\n"), io("", "", ""), cache);
      expect(broken.verdict).toBe("judge_error");
      expect(broken.feedback).toMatch(/^the checker did not compile:\n.*error/s);
    }
    expect(sandboxes.build - before).toBe(1);
  });

  it("a checker that runs out of memory is a judge_error that says so", async () => {
    const hog = await judgeWithChecker(env, python("hog = bytearray(2000 * 1024 * 1024)\n"), io("", "", ""), new Map());
    expect(hog).toEqual({ verdict: "judge_error", feedback: "the checker went over its memory limit (512 MiB)" });
  });

  it("a checker that runs past its time limit is a judge_error", async () => {
    const slow = await judgeWithChecker(env, python("import time\ntime.sleep(1000)\n"), io("", "", ""), new Map());
    expect(slow).toMatchObject({ verdict: "judge_error", feedback: expect.stringContaining("time limit") });
  });

  it("a checker language this runner does not offer, or a checker file in the judge's folder, is a judge_error", async () => {
    expect(await judgeWithChecker(env, { language: "cobol", files: [{ name: "c.cob", content: "" }], args: [] }, io("", "", ""), new Map())).toMatchObject({
      verdict: "judge_error",
      feedback: expect.stringContaining('"cobol" is not available'),
    });
    const planted = {
      language: "python",
      files: [
        { name: "check.py", content: PYTHON_CHECKER },
        { name: ".sam-judge/answer", content: "x" },
      ],
      args: [],
    };
    expect(await judgeWithChecker(env, planted, io("", "", ""), new Map())).toMatchObject({
      verdict: "judge_error",
      feedback: expect.stringContaining(".sam-judge"),
    });
    expect(await judgeWithChecker(env, python(PYTHON_CHECKER, ["a\0b"]), io("", "", ""), new Map())).toMatchObject({
      verdict: "judge_error",
      feedback: expect.stringContaining("NUL"),
    });
  });

  it("the student's output reaches the checker byte for byte (invalid UTF-8, NUL, marker-like lines)", async () => {
    const output = Buffer.concat([randomBytes(3000), Buffer.from(`\nsam-report-${"0".repeat(32)}:report:42\n\0\xff`, "latin1")]);
    const hasher =
      'import hashlib, sys\nopen(sys.argv[3] + "/judgemessage.txt", "w").write(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())\nsys.exit(43)\n';
    const result = await judgeWithChecker(env, python(hasher), io("", "", output), new Map());
    expect(result).toEqual({ verdict: "wrong_answer", feedback: createHash("sha256").update(output).digest("hex") });
  });

  it("a long judge message is cut; a missing one is empty", async () => {
    const long = await judgeWithChecker(
      env,
      python('import sys\nopen(sys.argv[3] + "/judgemessage.txt", "w").write("x" * 100000)\nsys.exit(43)\n'),
      io("", "", ""),
      new Map(),
    );
    expect(long.verdict).toBe("wrong_answer");
    expect(long.feedback.length).toBeLessThan(17 * 1024);
    expect(long.feedback.endsWith("(cut)")).toBe(true);
    expect(await judgeWithChecker(env, python("import sys\nsys.exit(42)\n"), io("", "", ""), new Map())).toEqual({ verdict: "passed", feedback: "" });
  });

  it("a checker that reads anything but its inputs finds nothing secret: not another test's answer, not the runner's environment", async () => {
    const otherAnswer = `other-answer-${randomBytes(8).toString("hex")}`;
    const ownInput = `own-input-${randomBytes(8).toString("hex")}`;
    process.env.SAM_TEST_JUDGE_CANARY = `runner-env-${randomBytes(8).toString("hex")}`;
    const cache = new Map<string, Buffer>();
    // Another test of the same grading ran first, with its own answer.
    await judgeWithChecker(env, python(PYTHON_CHECKER), io("", otherAnswer, otherAnswer), cache);
    const snoop = [
      "import os, subprocess, sys",
      "found = subprocess.run(['sh', '-c', 'env; cat /proc/*/environ /proc/*/cmdline 2>/dev/null | tr \"\\\\0\" \"\\\\n\"; ls -laR /work /tmp /sam /home /var/tmp /run 2>/dev/null; grep -rah . /work /tmp /sam /var/tmp 2>/dev/null'], capture_output=True).stdout.decode('utf8', 'replace')",
      "open(sys.argv[3] + '/judgemessage.txt', 'w').write(found[-15000:] if len(found) > 15000 else found)",
      "sys.exit(43)",
    ].join("\n");
    const result = await judgeWithChecker(env, python(snoop), io(ownInput, "", ""), cache);
    expect(result.verdict).toBe("wrong_answer");
    expect(result.feedback).toContain(ownInput);
    expect(result.feedback).not.toContain(otherAnswer);
    expect(result.feedback).not.toContain(process.env.SAM_TEST_JUDGE_CANARY);
    for (const name of ["DATABASE_URL", "REDIS_URL", "SAM_SECRET"]) expect(result.feedback).not.toContain(name);
  });
});

describe("command tests", () => {
  const limits = (overrides: Partial<RunLimits> = {}): RunLimits => ({ ...env.limitsFor("python"), ...overrides });
  const solution = (body: string) => ({ files: [{ name: "solution.py", content: body }], build: null });

  it("pytest with Gradescope results: all pass is passed with fraction 1", async () => {
    const result = await runCommandTest(env, pytestSpec(), solution("def add(a, b):\n    return a + b\n"), limits());
    expect(result.verdict).toBe("passed");
    expect(result.fraction).toBe(1);
    expect(result.feedback).toBe("3/3 tests passed\n✓ test_small (1/1)\n✓ test_big (2/2)\n✓ test_negative (1/1)");
    expect(result.stdout.toString()).toContain("3 passed");
    expect(result.timeMs).toBeGreaterThan(0);
    expect(result.memoryKb).toBeGreaterThan(0);
  });

  it("some failing is wrong_answer with the weighted fraction, and a student's copy of the tests is replaced by the teacher's", async () => {
    const student = {
      files: [
        { name: "solution.py", content: "def add(a, b):\n    return abs(a) + abs(b)\n" },
        { name: "test_add.py", content: "def test_small():\n    pass\n" },
      ],
      build: null,
    };
    const result = await runCommandTest(env, pytestSpec(), student, limits());
    expect(result.verdict).toBe("wrong_answer");
    expect(result.fraction).toBeCloseTo(3 / 4);
    expect(result.feedback).toMatch(/^2\/3 tests passed\n✓ test_small \(1\/1\)\n✓ test_big \(2\/2\)\n✗ test_negative \(0\/1\): .*assert 2 == -2/s);
    expect(result.stdout.toString()).toContain("1 failed, 2 passed");
  });

  it("a malformed results file is a judge_error that says what is wrong", async () => {
    const spec = { command: 'echo \'{"tests": "all good"}\' > out/results.json', resultsFile: "out/results.json", files: [{ name: "out/.keep", content: "" }] };
    const result = await runCommandTest(env, spec, solution(""), limits());
    expect(result).toMatchObject({ verdict: "judge_error", fraction: 0 });
    expect(result.feedback).toMatch(/^the results file out\/results.json is not in Gradescope's results.json shape: tests: /);
    const notJson = await runCommandTest(env, { ...spec, command: "echo 'PASSED 3/3' > out/results.json" }, solution(""), limits());
    expect(notJson).toMatchObject({ verdict: "judge_error", feedback: expect.stringContaining("it is not JSON") });
  });

  it("a command that writes no results file is a judge_error (its output is kept)", async () => {
    const result = await runCommandTest(env, { command: "echo harness broke; exit 3", resultsFile: "results.json", files: [] }, solution(""), limits());
    expect(result).toMatchObject({ verdict: "judge_error", fraction: 0, feedback: "the test command (exit status 3) wrote no results file results.json" });
    expect(result.stdout.toString()).toBe("harness broke\n");
  });

  it("a student's code that never ends is time_limit with fraction 0", async () => {
    const result = await runCommandTest(env, pytestSpec(), solution("while True:\n    pass\n"), limits({ cpuTimeMs: 1500, wallTimeMs: 5000 }));
    expect(result).toMatchObject({ verdict: "time_limit", fraction: 0 });
  });

  it("a student's code that takes too much memory is memory_limit with fraction 0", async () => {
    const hog = "hog = bytearray(400 * 1024 * 1024)\ndef add(a, b):\n    return a + b\n";
    const result = await runCommandTest(env, pytestSpec(), solution(hog), limits({ memoryMb: 128 }));
    expect(result).toMatchObject({ verdict: "memory_limit", fraction: 0 });
  });

  it("a command that prints past the output limit is output_limit", async () => {
    const result = await runCommandTest(
      env,
      { command: 'head -c 300000 /dev/zero; echo \'{"tests":[{"status":"passed"}]}\' > results.json', resultsFile: "results.json", files: [] },
      solution(""),
      limits({ outputKb: 64 }),
    );
    expect(result).toMatchObject({ verdict: "output_limit", fraction: 0 });
    expect(result.stdout.length + result.stderr.length).toBeLessThanOrEqual(64 * 1024);
  });

  it("a compiled student's build is in place for the command (a C program tested by a Python harness)", async () => {
    const files = [{ name: "main.c", content: '#include <stdio.h>\nint main(void) { int a, b; scanf("%d %d", &a, &b); printf("%d\\n", a + b); }\n' }];
    const build = await env.build("c", files);
    if (!build.ok) throw new Error(build.output);
    const harness = [
      "import json, subprocess",
      "cases = [('1 2', '3'), ('-1 -1', '-2'), ('2 2', '5')]",
      "tests = [{'name': i, 'status': 'passed' if subprocess.run(['/tmp/sam-program'], input=i, capture_output=True, text=True).stdout.strip() == o else 'failed'} for i, o in cases]",
      "json.dump({'tests': tests}, open('results.json', 'w'))",
    ].join("\n");
    const result = await runCommandTest(
      env,
      { command: "python3 harness.py", resultsFile: "results.json", files: [{ name: "harness.py", content: harness }] },
      { files, build: build.tar },
      limits(),
    );
    expect(result).toMatchObject({ verdict: "wrong_answer", feedback: "2/3 tests passed\n✓ 1 2\n✓ -1 -1\n✗ 2 2" });
    expect(result.fraction).toBeCloseTo(2 / 3);
  });

  it("JUnit 5 through javac and the console launcher, its report turned into results.json", async () => {
    const spec = {
      command: JUNIT_COMMAND,
      resultsFile: "results.json",
      files: [
        { name: "CalculatorTest.java", content: JUNIT_TEST },
        { name: "to_results.py", content: JUNIT_TO_RESULTS },
      ],
    };
    const wrong = {
      files: [{ name: "Calculator.java", content: "class Calculator { static int add(int a, int b) { return Math.abs(a) + Math.abs(b); } }\n" }],
      build: null,
    };
    const result = await runCommandTest(env, spec, wrong, env.limitsFor("java"));
    expect(result).toMatchObject({ verdict: "wrong_answer", fraction: 0.5 });
    expect(result.feedback).toContain("✗ addsNegatives() (0/1): expected: <-2> but was: <2>");
    const right = { files: [{ name: "Calculator.java", content: "class Calculator { static int add(int a, int b) { return a + b; } }\n" }], build: null };
    expect(await runCommandTest(env, spec, right, env.limitsFor("java"))).toMatchObject({ verdict: "passed", fraction: 1 });
  });

  it("bad file names in the test are a judge_error, before any sandbox", async () => {
    const result = await runCommandTest(
      env,
      { command: "true", resultsFile: "results.json", files: [{ name: "../escape.py", content: "" }] },
      solution(""),
      limits(),
    );
    expect(result).toMatchObject({ verdict: "judge_error", feedback: expect.stringContaining("..") });
    const nul = await runCommandTest(env, { command: "true\0", resultsFile: "results.json", files: [] }, solution(""), limits());
    expect(nul).toMatchObject({ verdict: "judge_error", feedback: expect.stringContaining("NUL") });
  });
});

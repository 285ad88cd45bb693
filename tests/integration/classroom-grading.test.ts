import pino from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { courseEventsKey } from "../../lib/classroom/events";
import { createDatabase } from "../../lib/db/client";
import { createRedis } from "../../lib/redis/connection";
import { storeGrading } from "../../runner/grading/store";
import { requeueLostRuns } from "../../runner/queue/lost-runs";
import { cancelRunning } from "../../runner/queue/process-execution";
import { Watchdog } from "../../runner/queue/watchdog";
import { SandboxInfrastructureError, type SandboxDriver } from "../../runner/sandbox/driver";
import { api, registerUser } from "../support/api";
import { language, openDriver } from "../support/drivers";
import { FakeDriver } from "../support/fake-driver";
import { gradingResults, makeAssignment, makeUser, queueTestGrading, RecordingDriver } from "../support/grading";
import { QueueHarness } from "../support/queue-harness";

/**
 * Grading with real sandboxes (the oci driver on the test image): every
 * comparison mode and every verdict in C and Python, one compile per
 * grading, compile errors once, which tests each kind runs, and a grading
 * retried after a sandbox failure stored exactly once.
 */
const db = createDatabase(inject("databaseUrl"));
const redis = createRedis(inject("redisUrl"));
let driver: SandboxDriver;
beforeAll(async () => {
  driver = await openDriver("oci/runc");
});
afterAll(async () => {
  await driver?.close();
  await db.$disconnect();
  redis.disconnect();
});

const C_PROGRAM = String.raw`#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
int main(int argc, char **argv) {
  const char *m = argc > 1 ? argv[1] : "sum";
  if (!strcmp(m, "sum")) { long a, b; if (scanf("%ld %ld", &a, &b) != 2) return 3; printf("%ld\n", a + b); return 0; }
  if (!strcmp(m, "ws")) { printf("a b  \n\n\n"); return 0; }
  if (!strcmp(m, "tokens")) { printf("1\n2\t3   "); return 0; }
  if (!strcmp(m, "pi")) { printf("3.14159\n"); return 0; }
  if (!strcmp(m, "hello")) { printf("Hello, World 42\n"); return 0; }
  if (!strcmp(m, "exit7")) { printf("bye\n"); return 7; }
  if (!strcmp(m, "segv")) { raise(SIGSEGV); }
  if (!strcmp(m, "loop")) { volatile unsigned long i = 0; for (;;) i++; }
  if (!strcmp(m, "mem")) { size_t n = (size_t)512 << 20; volatile char *p = malloc(n); if (!p) return 9; for (size_t i = 0; i < n; i += 4096) p[i] = 1; printf("%d\n", p[n - 4096]); return 0; }
  if (!strcmp(m, "flood")) { for (;;) fputs("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", stdout); }
  return 0;
}
`;

const PY_PROGRAM = String.raw`import os, signal, sys
m = sys.argv[1] if len(sys.argv) > 1 else "sum"
if m == "sum":
    a, b = map(int, sys.stdin.read().split()); print(a + b)
elif m == "ws": sys.stdout.write("a b  \n\n\n")
elif m == "tokens": sys.stdout.write("1\n2\t3   ")
elif m == "pi": print("3.14159")
elif m == "hello": print("Hello, World 42")
elif m == "exit7":
    print("bye"); sys.stdout.flush(); sys.exit(7)
elif m == "segv": os.kill(os.getpid(), signal.SIGSEGV)
elif m == "loop":
    while True: pass
elif m == "mem":
    b = b"x" * (512 << 20); print(len(b))
elif m == "flood":
    while True: sys.stdout.write("x" * 40 + "\n")
`;

/** One test per comparison mode and per verdict; the program's first argument picks what it does. */
const VERDICT_TESTS = [
  { name: "exact", args: ["sum"], stdin: "2 3\n", expectedStdout: "5\n", comparison: { mode: "exact" }, want: "passed" },
  { name: "exact wrong", args: ["sum"], stdin: "2 3\n", expectedStdout: "6\n", comparison: { mode: "exact" }, want: "wrong_answer" },
  { name: "exact is strict", args: ["ws"], expectedStdout: "a b\n", comparison: { mode: "exact" }, want: "wrong_answer" },
  { name: "trailing whitespace", args: ["ws"], expectedStdout: "a b\n", comparison: { mode: "trailing_whitespace" }, want: "passed" },
  { name: "tokens", args: ["tokens"], expectedStdout: "1 2 3\n", comparison: { mode: "tokens" }, want: "passed" },
  { name: "numbers", args: ["pi"], expectedStdout: "3.1416", comparison: { mode: "numbers", absoluteTolerance: 0.001, relativeTolerance: 0 }, want: "passed" },
  {
    name: "numbers too far",
    args: ["pi"],
    expectedStdout: "3.15",
    comparison: { mode: "numbers", absoluteTolerance: 0.001, relativeTolerance: 0 },
    want: "wrong_answer",
  },
  { name: "regex", args: ["hello"], expectedStdout: "hello, \\w+ \\d+\\n", comparison: { mode: "regex", flags: "i" }, want: "passed" },
  { name: "expected exit code", args: ["exit7"], expectedStdout: "bye\n", expectedExitCode: 7, want: "passed" },
  { name: "exit code", args: ["exit7"], expectedStdout: "bye\n", want: "runtime_error" },
  { name: "signal", args: ["segv"], expectedStdout: "", want: "runtime_error" },
  { name: "time", args: ["loop"], expectedStdout: "", limits: { cpuTimeMs: 1000, wallTimeMs: 3000 }, want: "time_limit" },
  { name: "memory", args: ["mem"], expectedStdout: "", limits: { memoryMb: 64 }, want: "memory_limit" },
  { name: "output", args: ["flood"], expectedStdout: "", limits: { outputKb: 16 }, want: "output_limit" },
] as const;

function harnessWith(d: SandboxDriver, languages: string[]) {
  return new QueueHarness(inject("redisUrl"), db, d as never, { languages: new Map(languages.map((l) => [l, language(l)])) });
}

async function gradeOnce(
  d: RecordingDriver,
  lang: string,
  files: Array<{ name: string; content: string }>,
  tests: object[],
  kind?: "test" | "submission",
  dueAt?: Date,
) {
  const harness = harnessWith(d, [lang]);
  try {
    harness.startWorker();
    const userId = await makeUser(db);
    const { assignmentId, courseId } = await makeAssignment(db, { language: lang, tests: tests as never, dueAt });
    const { gradingId, executionId } = await queueTestGrading(harness, { assignmentId, userId, language: lang, files, kind });
    const execution = await harness.waitForFinal(executionId, 240);
    return { execution, courseId, ...(await gradingResults(db, gradingId)) };
  } finally {
    await harness.close();
  }
}

describe.each([
  { lang: "c", file: "main.c", program: C_PROGRAM },
  { lang: "python", file: "main.py", program: PY_PROGRAM },
])("every comparison mode and verdict in $lang", ({ lang, file, program }) => {
  it("judges each test by its run and its comparison, compiling once", async () => {
    const recording = new RecordingDriver(driver);
    const tests = VERDICT_TESTS.map(({ want: _w, ...t }) => t);
    const { execution, grading, byName, courseId } = await gradeOnce(recording, lang, [{ name: file, content: program }], tests);
    expect(execution.status).toBe("succeeded");
    // The grading's execution never carries a test's output.
    expect(Buffer.from(execution.stdout).length).toBe(0);
    expect(Buffer.from(execution.stderr).length).toBe(0);
    for (const t of VERDICT_TESTS) expect({ name: t.name, verdict: byName[t.name]?.verdict }).toEqual({ name: t.name, verdict: t.want });
    expect(byName["exit code"]!.exitCode).toBe(7);
    expect(byName["exit code"]!.feedback).toBe("exit code 7");
    expect(byName.signal!.signal).toBe("SIGSEGV");
    expect(byName.signal!.feedback).toMatch(/SIGSEGV/);
    expect(Buffer.from(byName.exact!.stdout).toString()).toBe("5\n");
    expect(byName.exact!.timeMs).toBeGreaterThanOrEqual(0);
    expect(byName.exact!.memoryKb).toBeGreaterThan(0);
    // Stored output is capped even when the program printed up to its limit.
    expect(Buffer.from(byName.output!.stdout).length).toBeLessThanOrEqual(64 * 1024);
    const passed = VERDICT_TESTS.filter((t) => t.want === "passed").length;
    expect(grading.score).toBe(passed);
    expect(grading.maxScore).toBe(VERDICT_TESTS.length);
    expect(grading.compileError).toBe(false);
    expect(grading.finishedAt).not.toBeNull();
    // ONE compile for the whole grading; every test in a sandbox of its own that unpacks the build.
    if (lang === "c") {
      expect(recording.compiles("c")).toBe(1);
      expect(recording.runs.length).toBe(VERDICT_TESTS.length + 1);
      const build = recording.runs[0]!;
      expect(build.build).toBeUndefined();
      for (const run of recording.runs.slice(1)) {
        expect(run.build?.length).toBeGreaterThan(0);
        expect(run.env.SAM_COMPILE).toMatch(/^tar -xf \/sam\/in\/build.tar/);
      }
    } else {
      expect(recording.runs.length).toBe(VERDICT_TESTS.length);
      for (const run of recording.runs) expect(run.build).toBeUndefined();
    }
    // The course hears that the grading finished.
    const events = await redis.xrange(courseEventsKey(courseId), "-", "+");
    const data = events.map(([, fields]) => ({ type: fields[1], data: JSON.parse(fields[3]!) }));
    expect(data).toContainEqual({ type: "grading", data: expect.objectContaining({ gradingId: grading.id, score: passed, maxScore: VERDICT_TESTS.length }) });
  });
});

describe("java", () => {
  it("compiles the classes once and every test runs them from the build", async () => {
    const recording = new RecordingDriver(driver);
    const program = [
      "import java.util.Scanner;",
      "public class Main {",
      "  public static void main(String[] args) {",
      "    Scanner in = new Scanner(System.in);",
      "    long a = in.nextLong(), b = in.nextLong();",
      '    if (args.length > 0 && args[0].equals("throw")) throw new IllegalStateException("boom");',
      "    System.out.println(a + b);",
      "  }",
      "}",
    ].join("\n");
    const tests = [
      { name: "sum", stdin: "20 22\n", expectedStdout: "42\n" },
      { name: "wrong", stdin: "1 1\n", expectedStdout: "3\n" },
      { name: "throws", stdin: "1 1\n", args: ["throw"], expectedStdout: "2\n" },
    ];
    const { grading } = await gradeOnce(recording, "java", [{ name: "Main.java", content: program }], tests);
    expect(grading.results.map((r) => r.verdict)).toEqual(["passed", "wrong_answer", "runtime_error"]);
    expect(Buffer.from(grading.results[2]!.stderr).toString()).toContain("IllegalStateException");
    expect(recording.compiles("java")).toBe(1);
    expect(recording.runs.length).toBe(4);
  });
});

describe("compile errors", () => {
  it("a build that fails is compile_error for every test, once, with the compiler's output, and runs no test", async () => {
    const recording = new RecordingDriver(driver);
    const tests = [
      { name: "one", expectedStdout: "1\n" },
      { name: "two", expectedStdout: "2\n", visibility: "hidden" },
      { name: "three", expectedStdout: "3\n" },
    ];
    const { execution, grading } = await gradeOnce(recording, "c", [{ name: "main.c", content: "int main( {\n" }], tests);
    expect(execution.status).toBe("succeeded");
    expect(grading.compileError).toBe(true);
    expect(grading.compileOutput).toMatch(/error/);
    expect(grading.results.map((r) => r.verdict)).toEqual(["compile_error", "compile_error", "compile_error"]);
    expect(grading.score).toBe(0);
    expect(recording.runs.length).toBe(1);
    expect(recording.compiles("c")).toBe(1);
  });
});

describe("which tests a grading runs", () => {
  const tests = [
    { name: "visible", args: ["hello"], expectedStdout: "Hello, World 42\n" },
    { name: "hidden", args: ["hello"], expectedStdout: "Hello, World 42\n", visibility: "hidden" },
    { name: "after due", args: ["hello"], expectedStdout: "Hello, World 42\n", visibility: "after_due" },
  ];
  const files = [{ name: "main.py", content: PY_PROGRAM }];

  it("kind test before the due date: only the visible tests run", async () => {
    const recording = new RecordingDriver(driver);
    const { grading } = await gradeOnce(recording, "python", files, tests, "test");
    expect(grading.results.map((r) => r.name)).toEqual(["visible"]);
    expect(recording.runs.length).toBe(1);
    expect(grading.maxScore).toBe(1);
  });

  it("kind test after the due date: the visible and the after_due tests", async () => {
    const recording = new RecordingDriver(driver);
    const { grading } = await gradeOnce(recording, "python", files, tests, "test", new Date(Date.now() - 3600_000));
    expect(grading.results.map((r) => r.name)).toEqual(["visible", "after due"]);
  });

  it("kind submission: every test", async () => {
    const recording = new RecordingDriver(driver);
    const { grading } = await gradeOnce(recording, "python", files, tests, "submission");
    expect(grading.results.map((r) => [r.name, r.visibility, r.verdict])).toEqual([
      ["visible", "visible", "passed"],
      ["hidden", "hidden", "passed"],
      ["after due", "after_due", "passed"],
    ]);
  });
});

describe("retries", () => {
  it("a sandbox failure mid-grading retries the whole grading; its results are stored once", async () => {
    let failed = false;
    const recording = new RecordingDriver(driver, (_run, index) => {
      if (index === 2 && !failed) {
        failed = true;
        throw new SandboxInfrastructureError("simulated: the runtime failed to create the container");
      }
    });
    const tests = [1, 2, 3, 4].map((n) => ({ name: `t${n}`, args: ["sum"], stdin: `${n} ${n}\n`, expectedStdout: `${2 * n}\n` }));
    const { execution, grading } = await gradeOnce(recording, "c", [{ name: "main.c", content: C_PROGRAM }], tests);
    expect(failed).toBe(true);
    expect(execution.status).toBe("succeeded");
    expect(execution.attempts).toBe(2);
    expect(grading.results.map((r) => r.verdict)).toEqual(["passed", "passed", "passed", "passed"]);
    expect(await db.testResult.count({ where: { gradingId: grading.id } })).toBe(4);
    // One compile per attempt: the failed attempt's build, and the retry's.
    expect(recording.compiles("c")).toBe(2);
  });

  it("a result is written only while the execution is running for that attempt", async () => {
    const userId = await makeUser(db);
    const { assignmentId, testIds } = await makeAssignment(db, { language: "python", tests: [{ name: "t", expectedStdout: "x" }] });
    const execution = await db.execution.create({ data: { userId, language: "python", version: "3", limits: {}, status: "running", attempts: 2 } });
    const grading = await db.grading.create({ data: { executionId: execution.id, assignmentId, userId, kind: "submission" } });
    const outcome = {
      compileError: false,
      compileOutput: null,
      score: 1,
      maxScore: 1,
      results: [
        {
          test: { id: testIds[0]!, position: 0, name: "t", points: 1, visibility: "visible" as const, definition: null },
          points: 1,
          outcome: {
            verdict: "passed" as const,
            fraction: 1,
            exitCode: 0,
            signal: null,
            stdout: Buffer.from("x"),
            stderr: Buffer.alloc(0),
            feedback: null,
            timeMs: 5,
            memoryKb: 100,
          },
        },
      ],
    };
    const ids = { executionId: execution.id, gradingId: grading.id };
    expect(await storeGrading(db, { ...ids, attempt: 1 }, outcome, 10)).toBe(false);
    expect(await storeGrading(db, { ...ids, attempt: 2 }, outcome, 10)).toBe(true);
    expect(await storeGrading(db, { ...ids, attempt: 2 }, outcome, 10)).toBe(false);
    expect(await db.testResult.count({ where: { gradingId: grading.id } })).toBe(1);
    expect((await db.grading.findUniqueOrThrow({ where: { id: grading.id } })).score).toBe(1);
  });
});

describe("the watchdog", () => {
  it("a sandbox that never ends stops the whole grading: internal_error, no results stored", async () => {
    const fake = new FakeDriver((start) => (start === 1 ? { kind: "program", stdout: "x", exitCode: 0 } : { kind: "hangs", started: true, stdout: "partial" }));
    const log = pino({ level: "silent" });
    const harness = new QueueHarness(inject("redisUrl"), db, fake, {
      languages: new Map([["python", language("python")]]),
      watchdog: new Watchdog({ graceMs: 300, log, settleMs: 300 }),
    });
    try {
      harness.startWorker();
      const userId = await makeUser(db);
      const tests = [
        { name: "fine", expectedStdout: "x", limits: { wallTimeMs: 200 } },
        { name: "hangs", expectedStdout: "x", limits: { wallTimeMs: 200 } },
      ];
      const { assignmentId } = await makeAssignment(db, { language: "python", tests });
      const { gradingId, executionId } = await queueTestGrading(harness, {
        assignmentId,
        userId,
        language: "python",
        files: [{ name: "main.py", content: "" }],
      });
      const execution = await harness.waitForFinal(executionId, 60);
      expect(execution.status).toBe("internal_error");
      expect(execution.error).toMatch(/watchdog/);
      expect(fake.kills).toBeGreaterThan(0);
      const grading = await db.grading.findUniqueOrThrow({ where: { id: gradingId } });
      expect(grading.finishedAt).toBeNull();
      expect(await db.testResult.count({ where: { gradingId } })).toBe(0);
    } finally {
      await harness.close();
    }
  });
});

describe("cancelling", () => {
  it("a grading's sandboxes are the runner's to cancel: the execution ends cancelled and nothing is stored", async () => {
    const fake = new FakeDriver(() => ({ kind: "program", stdout: "x", exitCode: 0, delayMs: 60_000 }));
    const harness = harnessWith(fake, ["python"]);
    try {
      harness.startWorker();
      const userId = await makeUser(db);
      const { assignmentId } = await makeAssignment(db, {
        language: "python",
        tests: [
          { name: "a", expectedStdout: "x" },
          { name: "b", expectedStdout: "x" },
        ],
      });
      const { gradingId, executionId } = await queueTestGrading(harness, {
        assignmentId,
        userId,
        language: "python",
        files: [{ name: "main.py", content: "" }],
      });
      for (let i = 0; i < 300 && !harness.deps.running.has(executionId); i++) await new Promise((r) => setTimeout(r, 100));
      expect(await cancelRunning(harness.deps, executionId)).toBe(true);
      const execution = await harness.waitForFinal(executionId, 30);
      expect(execution.status).toBe("cancelled");
      expect(fake.runs.length).toBe(1);
      expect(await db.testResult.count({ where: { gradingId } })).toBe(0);
      expect((await db.grading.findUniqueOrThrow({ where: { id: gradingId } })).finishedAt).toBeNull();
    } finally {
      await harness.close();
    }
  });
});

describe("a grading whose job Redis lost", () => {
  it("is queued again in its kind's class: Test interactive, submission api, re-grade batch", async () => {
    const harness = harnessWith(new FakeDriver(() => ({ kind: "program", stdout: "x", exitCode: 0 })), ["python"]);
    try {
      const userId = await makeUser(db);
      const { assignmentId } = await makeAssignment(db, { language: "python", tests: [{ name: "a", expectedStdout: "x" }] });
      const ids: Record<string, string> = {};
      for (const kind of ["test", "submission", "regrade"] as const) {
        const { executionId } = await queueTestGrading(harness, { assignmentId, userId, language: "python", files: [{ name: "main.py", content: "" }], kind });
        await harness.queue.remove(executionId);
        ids[kind] = executionId;
      }
      const requeued = await requeueLostRuns({ db, redis: harness.deps.redis, queue: harness.queue }, 0, userId);
      expect(requeued.sort()).toEqual(Object.values(ids).sort());
      const classes = Object.fromEntries(
        await Promise.all(Object.entries(ids).map(async ([kind, id]) => [kind, (await harness.queue.getJob(id))?.data.workClass])),
      );
      expect(classes).toEqual({ test: "interactive", submission: "api", regrade: "batch" });
    } finally {
      await harness.close();
    }
  });
});

describe("the account's executions API", () => {
  it("neither lists a grading's execution nor shows it", async () => {
    const user = await registerUser();
    const { assignmentId } = await makeAssignment(db, { language: "python", tests: [{ name: "t", expectedStdout: "x" }] });
    const harness = harnessWith(new FakeDriver(() => ({ kind: "program", stdout: Buffer.from("x"), exitCode: 0 })), ["python"]);
    try {
      const { executionId } = await queueTestGrading(harness, {
        assignmentId,
        userId: user.id,
        language: "python",
        files: [{ name: "main.py", content: "print('x')" }],
      });
      const list = await api("GET", "/api/v1/executions?limit=100", { token: user.token });
      expect(list.status).toBe(200);
      expect(list.json.executions.map((e: { id: string }) => e.id)).not.toContain(executionId);
      for (const path of [`/api/v1/executions/${executionId}`, `/api/v1/executions/${executionId}/events`]) {
        expect((await api("GET", path, { token: user.token })).status).toBe(404);
      }
      expect((await api("DELETE", `/api/v1/executions/${executionId}`, { token: user.token })).status).toBe(404);
    } finally {
      await harness.close();
    }
  });
});

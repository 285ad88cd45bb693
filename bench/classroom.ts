import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Queue } from "bullmq";
import { specOf, testSchema } from "../lib/classroom/tests/spec";
import { createDatabase, type Database } from "../lib/db/client";
import { DEFAULT_POLICY, resolveLimits } from "../lib/executions/limits";
import { queueRun } from "../lib/executions/priority";
import { EXECUTION_QUEUE, type ExecutionJob, JOB_OPTIONS, type WorkClass } from "../lib/executions/queue";
import { createRedis } from "../lib/redis/connection";
import { loadCatalogue } from "../runner/languages/catalogue";
import { type Backing, startService } from "../tests/support/stack";

/**
 * The classroom part (BENCH_PARTS=classroom): a deadline spike. STUDENTS
 * students submit within SPIKE_SECONDS to an assignment with TESTS io tests,
 * in C and in Python, through the real runner (oci driver) and queue; each
 * submission is recorded and queued as queueGrading records it (an Execution
 * + a Grading, work class api). Halfway through, one more student presses
 * "Test" (kind test, work class interactive): its queue wait is what a
 * student feels during the spike. Then the same tests run as bare processes
 * on this machine (C: one gcc per student, then the tests), at the runner's
 * concurrency, for the ratio. Medians and ratios, no assertions.
 */
const STUDENTS = Number(process.env.BENCH_CLASS_STUDENTS ?? 200);
const SPIKE_SECONDS = Number(process.env.BENCH_CLASS_SPIKE_SECONDS ?? 60);
const TESTS = Number(process.env.BENCH_CLASS_TESTS ?? 10);
const LANGUAGES = (process.env.BENCH_CLASS_LANGUAGES ?? "c,python").split(",").filter(Boolean);
const SANDBOX_DIR = process.env.SAM_SANDBOX_DIR ?? "/var/tmp/sam-test-sandbox";
const CONCURRENCY = Number(process.env.SAM_RUNNER_CONCURRENCY ?? os.availableParallelism());

const SOURCES: Record<string, { file: string; content: string }> = {
  c: {
    file: "main.c",
    content: '#include <stdio.h>\nint main(void) { long a, b; if (scanf("%ld %ld", &a, &b) != 2) return 1; printf("%ld\\n", a + b); return 0; }\n',
  },
  python: { file: "main.py", content: "a, b = map(int, input().split())\nprint(a + b)\n" },
};

export interface ClassroomFigures {
  language: string;
  students: number;
  tests: number;
  /** From the first submission to the last grade stored. */
  allGradedSeconds: number;
  testsPerSecond: number;
  bareTestsPerSecond: number;
  /** Per grading: queued to finished. */
  gradingP50Ms: number;
  /** The interactive Test pressed halfway through the spike: queued to started, and to finished. */
  interactiveWaitMs: number;
  interactiveDoneMs: number;
  /** Gradings not finished when the last student submitted: 0 means the runner kept up, and tests/s is the arrival rate, not the capacity. */
  backlogAtSpikeEnd: number;
  failed: number;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

async function setUp(db: Database, language: string) {
  const course = await db.course.create({ data: { name: `bench ${language}` } });
  const assignment = await db.assignment.create({ data: { courseId: course.id, title: "deadline spike", language, dueAt: new Date(Date.now() + 3600_000) } });
  for (let i = 0; i < TESTS; i++) {
    const test = testSchema.parse({
      kind: "io",
      name: `sum ${i}`,
      stdin: `${i} ${i * 7}\n`,
      expectedStdout: `${i * 8}\n`,
      visibility: i < 3 ? "visible" : "hidden",
    });
    await db.assignmentTest.create({
      data: {
        assignmentId: assignment.id,
        position: i,
        name: test.name,
        points: test.points,
        visibility: test.visibility,
        kind: "io",
        spec: specOf(test) as object,
        limits: {},
      },
    });
  }
  const users: string[] = [];
  for (let i = 0; i <= STUDENTS; i++) {
    const name = `b${randomBytes(6).toString("hex")}`;
    users.push((await db.user.create({ data: { username: name, usernameKey: name } })).id);
  }
  return { assignmentId: assignment.id, users };
}

/** What queueGrading records, and its job (lib/classroom/grading/queue-grading.ts). */
async function queueOne(
  db: Database,
  queue: Queue<ExecutionJob>,
  redis: ReturnType<typeof createRedis>,
  language: string,
  assignmentId: string,
  userId: string,
  kind: "test" | "submission",
  workClass: WorkClass,
) {
  const source = SOURCES[language]!;
  const definition = loadCatalogue().find((l) => l.language === language)!;
  const execution = await db.execution.create({
    data: {
      userId,
      language,
      version: "bench",
      files: { create: [{ position: 0, name: source.file, content: Buffer.from(source.content) }] },
      limits: { ...resolveLimits(DEFAULT_POLICY, definition.limits, {}) },
    },
  });
  await db.grading.create({ data: { executionId: execution.id, assignmentId, userId, kind } });
  await queueRun(queue, redis, { executionId: execution.id, userId, workClass });
  return execution.id;
}

async function spike(db: Database, backing: Backing, language: string, log: (m: string) => void): Promise<Omit<ClassroomFigures, "bareTestsPerSecond">> {
  const { assignmentId, users } = await setUp(db, language);
  const redis = createRedis(backing.redisUrl);
  // BullMQ leaves a connection it was handed open when it closes: ours to end.
  const queueConnection = createRedis(backing.redisUrl);
  const queue = new Queue<ExecutionJob>(EXECUTION_QUEUE, { connection: queueConnection, defaultJobOptions: JOB_OPTIONS });
  try {
    log(`${language}: ${STUDENTS} students submit within ${SPIKE_SECONDS} s (${TESTS} tests each)`);
    const started = Date.now();
    const submissions: Array<Promise<string>> = [];
    let interactive: Promise<string> | undefined;
    for (let i = 0; i < STUDENTS; i++) {
      const at = (i / STUDENTS) * SPIKE_SECONDS * 1000;
      await new Promise((r) => setTimeout(r, Math.max(0, started + at - Date.now())));
      submissions.push(queueOne(db, queue, redis, language, assignmentId, users[i]!, "submission", "api"));
      if (!interactive && i >= STUDENTS / 2) interactive = queueOne(db, queue, redis, language, assignmentId, users[STUDENTS]!, "test", "interactive");
    }
    const ids = await Promise.all(submissions);
    const spikeEnded = new Date();
    const interactiveId = await interactive!;
    const all = [...ids, interactiveId];
    for (;;) {
      const pending = await db.execution.count({ where: { id: { in: all }, status: { in: ["queued", "running"] } } });
      if (pending === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const rows = await db.execution.findMany({ where: { id: { in: ids } }, select: { createdAt: true, finishedAt: true, status: true } });
    const last = Math.max(...rows.map((r) => r.finishedAt?.getTime() ?? 0));
    const first = Math.min(...rows.map((r) => r.createdAt.getTime()));
    const i = await db.execution.findUniqueOrThrow({ where: { id: interactiveId } });
    const graded = await db.testResult.count({ where: { grading: { assignmentId } } });
    return {
      language,
      students: STUDENTS,
      tests: TESTS,
      allGradedSeconds: (last - first) / 1000,
      testsPerSecond: graded / ((last - first) / 1000),
      gradingP50Ms: percentile(
        rows.map((r) => (r.finishedAt?.getTime() ?? 0) - r.createdAt.getTime()),
        50,
      ),
      interactiveWaitMs: (i.startedAt?.getTime() ?? Number.NaN) - i.createdAt.getTime(),
      interactiveDoneMs: (i.finishedAt?.getTime() ?? Number.NaN) - i.createdAt.getTime(),
      backlogAtSpikeEnd: rows.filter((r) => !r.finishedAt || r.finishedAt > spikeEnded).length,
      failed: rows.filter((r) => r.status !== "succeeded").length,
    };
  } finally {
    await queue.close();
    queueConnection.disconnect();
    redis.disconnect();
  }
}

function run(command: string, args: string[], stdin: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });
    child.stdout.resume();
    child.stdin.end(stdin);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}`))));
  });
}

/** The same tests as bare processes: per student, C compiles once (gcc -O2, as the sandbox does) then runs each test. */
async function bare(language: string, students: number): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sam-bench-bare-"));
  const source = SOURCES[language]!;
  fs.writeFileSync(path.join(dir, source.file), source.content);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < students) {
        const student = next++;
        const program = path.join(dir, `p${student}`);
        if (language === "c") await run("/usr/bin/gcc", ["-std=gnu17", "-O2", "-pipe", "-o", program, path.join(dir, source.file), "-lm"], "");
        for (let t = 0; t < TESTS; t++) {
          if (language === "c") await run(program, [], `${t} ${t * 7}\n`);
          else await run("/usr/bin/python3", [path.join(dir, source.file)], `${t} ${t * 7}\n`);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  fs.rmSync(dir, { recursive: true, force: true });
  return (students * TESTS) / seconds;
}

export async function benchClassroom(backing: Backing, log: (m: string) => void): Promise<ClassroomFigures[]> {
  const db = createDatabase(backing.databaseUrl);
  const runner = await startService("runner/main.ts", backing, { SAM_SANDBOX_DIR: SANDBOX_DIR, SAM_SANDBOX_DRIVER: "oci", LOG_LEVEL: "warn" });
  const figures: ClassroomFigures[] = [];
  try {
    for (const language of LANGUAGES) {
      const measured = await spike(db, backing, language, log);
      log(`${language}: the same tests as bare processes at concurrency ${CONCURRENCY}`);
      figures.push({ ...measured, bareTestsPerSecond: await bare(language, Math.min(STUDENTS, 40)) });
    }
  } finally {
    await runner.stop();
    await db.$disconnect();
  }
  return figures;
}

export function printClassroom(figures: ClassroomFigures[]): void {
  const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "-");
  console.log(
    `\nClassroom: a deadline spike (${STUDENTS} students within ${SPIKE_SECONDS} s, ${TESTS} io tests each; runner concurrency ${CONCURRENCY}, oci driver)\n`,
  );
  console.log(
    "| language | every grade in, s | tests graded/s | bare tests/s | graded vs bare | gradings left when the spike ended | grading p50 (queued to stored), s | interactive Test: queue wait ms | interactive Test: done ms | failed |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const r of figures) {
    console.log(
      `| ${r.language} | ${f(r.allGradedSeconds)} | ${f(r.testsPerSecond)} | ${f(r.bareTestsPerSecond)} | ${f((r.testsPerSecond / r.bareTestsPerSecond) * 100, 0)}% | ${r.backlogAtSpikeEnd} | ${f(r.gradingP50Ms / 1000)} | ${f(r.interactiveWaitMs, 0)} | ${f(r.interactiveDoneMs, 0)} | ${r.failed} |`,
    );
  }
}

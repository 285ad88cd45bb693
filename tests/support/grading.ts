import { randomBytes } from "node:crypto";
import type { Database } from "../../lib/db/client";
import { type TestDefinition, specOf, testSchema } from "../../lib/classroom/tests/spec";
import { DEFAULT_POLICY, resolveLimits } from "../../lib/executions/limits";
import { queueRun } from "../../lib/executions/priority";
import type { WorkClass } from "../../lib/executions/queue";
import type { GradingKind } from "../../lib/db/generated/enums";
import type { SandboxDriver, SandboxHandle, SandboxRun, SandboxStreams } from "../../runner/sandbox/driver";
import type { QueueHarness } from "./queue-harness";
import { language } from "./drivers";

/**
 * Classroom fixtures written straight to the database (what the course,
 * assignment and submission routes would record), and gradings queued the
 * way lib/classroom/grading/queue-grading.ts queues them, onto a harness's queue.
 */
export async function makeUser(db: Database): Promise<string> {
  const name = `g_${randomBytes(5).toString("hex")}`;
  return (await db.user.create({ data: { username: name, usernameKey: name } })).id;
}

export async function makeAssignment(
  db: Database,
  opts: { language: string; tests: Array<Partial<TestDefinition> & Record<string, unknown>>; dueAt?: Date; limits?: object },
): Promise<{ courseId: string; assignmentId: string; testIds: string[] }> {
  const course = await db.course.create({ data: { name: `course ${randomBytes(3).toString("hex")}` } });
  const assignment = await db.assignment.create({
    data: {
      courseId: course.id,
      title: "grading test",
      language: opts.language,
      dueAt: opts.dueAt ?? new Date(Date.now() + 24 * 3600_000),
      limits: opts.limits ?? {},
    },
  });
  const testIds: string[] = [];
  for (const [position, raw] of opts.tests.entries()) {
    const test = testSchema.parse({ kind: "io", ...raw });
    const row = await db.assignmentTest.create({
      data: {
        assignmentId: assignment.id,
        position,
        name: test.name,
        points: test.points,
        visibility: test.visibility,
        kind: test.kind,
        spec: specOf(test) as object,
        limits: test.limits,
      },
    });
    testIds.push(row.id);
  }
  return { courseId: course.id, assignmentId: assignment.id, testIds };
}

/** Records an Execution + Grading as queueGrading does, and queues it on the harness's queue. */
export async function queueTestGrading(
  harness: QueueHarness,
  opts: { assignmentId: string; userId: string; language: string; files: Array<{ name: string; content: string }>; kind?: GradingKind; workClass?: WorkClass },
): Promise<{ gradingId: string; executionId: string }> {
  const { db } = harness;
  const definition = language(opts.language);
  const execution = await db.execution.create({
    data: {
      userId: opts.userId,
      language: opts.language,
      version: "test",
      files: { create: opts.files.map((f, position) => ({ position, name: f.name, content: Buffer.from(f.content, "utf8") })) },
      limits: { ...resolveLimits(DEFAULT_POLICY, definition.limits, {}) },
    },
  });
  const grading = await db.grading.create({
    data: { executionId: execution.id, assignmentId: opts.assignmentId, userId: opts.userId, kind: opts.kind ?? "submission" },
  });
  await queueRun(harness.queue, harness.deps.redis, { executionId: execution.id, userId: opts.userId, workClass: opts.workClass ?? "api" });
  return { gradingId: grading.id, executionId: execution.id };
}

export async function gradingResults(db: Database, gradingId: string) {
  const grading = await db.grading.findUniqueOrThrow({ where: { id: gradingId }, include: { results: { orderBy: { position: "asc" } } } });
  return { grading, byName: Object.fromEntries(grading.results.map((r) => [r.name, r])) };
}

/** A real driver that records every run it is given (the env says whether it compiles, unpacks or packs). */
export class RecordingDriver implements SandboxDriver {
  readonly runs: SandboxRun[] = [];
  constructor(
    private readonly inner: SandboxDriver,
    private readonly before?: (run: SandboxRun, index: number) => void,
  ) {}
  get name() {
    return this.inner.name;
  }
  async start(run: SandboxRun, streams: SandboxStreams): Promise<SandboxHandle> {
    this.runs.push(run);
    this.before?.(run, this.runs.length - 1);
    return this.inner.start(run, streams);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  /** Runs that compiled the student's sources (the language's own compile command). */
  compiles(languageName: string): number {
    const compile = language(languageName).compile;
    return this.runs.filter((r) => compile && r.env.SAM_COMPILE === compile).length;
  }
}

import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { appendCourseEvent, courseEventsKey } from "../../lib/classroom/events";
import { loadGradebook } from "../../lib/classroom/gradebook/load";
import { createDatabase, type Database } from "../../lib/db/client";
import { classOfPriority } from "../../lib/executions/priority";
import { EXECUTION_QUEUE } from "../../lib/executions/queue";
import { publishRuntimes } from "../../lib/executions/runtimes";
import { createRedis } from "../../lib/redis/connection";
import { api, uniqueName } from "../support/api";
import { insertAssignment, insertCourse, insertSubmission, insertUserWithToken, resultsOf } from "../support/gradebook-rows";
import { startBacking, startService, type Backing, type RunningService } from "../support/stack";

/**
 * The gradebook, its CSV, the course event stream and re-grades through the
 * real API, on a stack of this file's own WITHOUT a runner: re-grade
 * gradings stay queued (so their jobs' class can be read and cancel can take
 * them back), and finished gradings are written as rows, as the runner
 * writes them (runner/grading/ is tested on its own).
 */
let backing: Backing;
let web: RunningService;
let redis: Redis;
let db: Database;
let queue: Queue;
let queueConnection: Redis;

beforeAll(async () => {
  backing = await startBacking();
  // No collab service is needed: nothing here opens a room.
  web = await startService("web/server.ts", backing, { SAM_COLLAB_URL: "http://127.0.0.1:9", SAM_RUNS_PER_MINUTE: "100000" });
  redis = createRedis(backing.redisUrl);
  db = createDatabase(backing.databaseUrl);
  queueConnection = createRedis(backing.redisUrl);
  queue = new Queue(EXECUTION_QUEUE, { connection: queueConnection });
});
// No runner: the runtime is published by hand so gradings can be queued (it expires in 30 s).
beforeEach(() =>
  publishRuntimes(redis, "gradebook-test-runner", [
    { language: "python", version: "3", aliases: [], limits: {}, template: { files: [{ name: "main.py", content: "" }] }, entryFile: "main.py" },
  ]),
);
afterAll(async () => {
  await queue?.close();
  queueConnection?.disconnect();
  redis?.disconnect();
  await db?.$disconnect();
  await web?.stop();
  await backing?.stop();
});

const call = (method: string, path: string, token?: string, headers: Record<string, string> = {}) => api(method, path, { base: web.url, token, headers });

const register = (name = uniqueName("gb")) => insertUserWithToken(db, name);
type User = Awaited<ReturnType<typeof register>>;

const DAY = 86_400_000;

/**
 * Course A: a teacher, a TA, three students (one named like a formula), two
 * assignments. Course B: its own teacher and student, one assignment.
 */
async function twoCourses() {
  const [teacher, ta, s1, s2, s3, teacherB, studentB] = await Promise.all([
    register(),
    register(),
    register(uniqueName("amy")),
    register(uniqueName("-minus")),
    register(uniqueName("zed")),
    register(),
    register(),
  ]);
  const courseA = await insertCourse(db, `Intro ${uniqueName("c")}`, [
    { userId: teacher.id, role: "teacher" },
    { userId: ta.id, role: "ta" },
    { userId: s1.id, role: "student" },
    { userId: s2.id, role: "student" },
    { userId: s3.id, role: "student" },
  ]);
  const courseB = await insertCourse(db, "Other course", [
    { userId: teacherB.id, role: "teacher" },
    { userId: studentB.id, role: "student" },
  ]);
  const a1 = await insertAssignment(db, courseA, {
    title: "Loops",
    dueAt: new Date(Date.now() - 5 * DAY),
    latePenaltyPerDay: 10,
    tests: [
      { name: "small", points: 2 },
      { name: "large", points: 8 },
    ],
  });
  const a2 = await insertAssignment(db, courseA, { title: "Strings", dueAt: new Date(Date.now() + 5 * DAY), tests: [{ name: "one", points: 5 }] });
  const b1 = await insertAssignment(db, courseB, { title: "B's", dueAt: new Date(Date.now() + DAY), tests: [{ name: "t", points: 1 }] });
  return { teacher, ta, s1, s2, s3, teacherB, studentB, courseA, courseB, a1, a2, b1 };
}

function expectError(res: { status: number; json: any; text: string }, status: number, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.json.error.code).toBe(code);
}

/** Follows a course's event stream until `enough` says so (or 60 s): [{id, event, data}]. */
async function followEvents(
  courseId: string,
  user: User,
  enough: (events: Array<{ id?: string; event: string; data: any }>) => boolean,
  opts: { lastEventId?: string; onReady?: () => Promise<unknown> } = {},
) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 60_000);
  const events: Array<{ id?: string; event: string; data: any }> = [];
  try {
    const res = await fetch(`${web.url}/api/v1/courses/${courseId}/events`, {
      headers: { authorization: `Bearer ${user.token}`, ...(opts.lastEventId ? { "last-event-id": opts.lastEventId } : {}) },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = block.match(/^event: (.*)$/m)?.[1];
        if (!event) continue;
        events.push({ id: block.match(/^id: (.*)$/m)?.[1], event, data: JSON.parse(block.match(/^data: (.*)$/m)?.[1] ?? "null") });
        if (event === "ready") await opts.onReady?.();
        if (enough(events)) return events;
      }
    }
    return events;
  } catch (err) {
    if (controller.signal.aborted) return events;
    throw err;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

describe("who may use the gradebook and re-grade routes", () => {
  it("staff of the course only: students 403, staff of another course 404, nobody signed in 401", async () => {
    const f = await twoCourses();
    await insertSubmission(db, { assignmentId: f.a1.id, userId: f.s1.id, number: 1, results: resultsOf(f.a1.tests, [true, true]) });
    const set = await db.regradeSet.create({ data: { assignmentId: f.a1.id, createdById: f.teacher.id, total: 1, status: "cancelled" } });
    const routes: Array<[string, string, "grade" | "author"]> = [
      ["GET", `/api/v1/courses/${f.courseA}/gradebook`, "grade"],
      ["GET", `/api/v1/courses/${f.courseA}/gradebook?format=csv`, "grade"],
      ["GET", `/api/v1/courses/${f.courseA}/events`, "grade"],
      ["GET", `/api/v1/assignments/${f.a1.id}/regrades`, "grade"],
      ["POST", `/api/v1/assignments/${f.a1.id}/regrades`, "author"],
      ["GET", `/api/v1/regrades/${set.id}`, "grade"],
      ["POST", `/api/v1/regrades/${set.id}/apply`, "author"],
      ["POST", `/api/v1/regrades/${set.id}/cancel`, "author"],
    ];
    for (const [method, path, action] of routes) {
      expectError(await call(method, path), 401, "unauthorized");
      // A student of the course, the student and the teacher of the other course.
      expectError(await call(method, path, f.s1.token), 403, "forbidden");
      expectError(await call(method, path, f.studentB.token), 404, "not_found");
      expectError(await call(method, path, f.teacherB.token), 404, "not_found");
      if (action === "author") expectError(await call(method, path, f.ta.token), 403, "forbidden");
    }
    // What the TA may do (reading); the events route is read as a stream, so only its status is taken here.
    for (const path of [`/api/v1/courses/${f.courseA}/gradebook`, `/api/v1/assignments/${f.a1.id}/regrades`, `/api/v1/regrades/${set.id}`]) {
      expect((await call("GET", path, f.ta.token)).status).toBe(200);
    }
    const stream = await fetch(`${web.url}/api/v1/courses/${f.courseA}/events`, { headers: { authorization: `Bearer ${f.ta.token}` } });
    expect(stream.status).toBe(200);
    await stream.body?.cancel();
    // Course B's own staff see course B, not A's students.
    const b = await call("GET", `/api/v1/courses/${f.courseB}/gradebook`, f.teacherB.token);
    expect(b.status).toBe(200);
    expect(b.json.students.map((s: { username: string }) => s.username)).toEqual([f.studentB.username]);
    // Ids that are no ids are 404 like any other unknown one.
    expectError(await call("GET", "/api/v1/regrades/not-an-id", f.teacher.token), 404, "not_found");
    expectError(await call("GET", "/api/v1/courses/not-an-id/gradebook", f.teacher.token), 404, "not_found");
  });

  it("refuses a bad view with 400 invalid_request naming the parameter", async () => {
    const f = await twoCourses();
    for (const [query, names] of [
      ["sort=score", "sort"],
      ["only=everything", "only"],
      ["format=xlsx", "format"],
      ["dir=up", "dir"],
      [`q=${"x".repeat(65)}`, "q"],
    ]) {
      const res = await call("GET", `/api/v1/courses/${f.courseA}/gradebook?${query}`, f.teacher.token);
      expectError(res, 400, "invalid_request");
      expect(res.json.error.message).toContain(names);
    }
    expectError(await call("GET", `/api/v1/regrades/${crypto.randomUUID()}?changes=some`, f.teacher.token), 400, "invalid_request");
  });
});

describe("GET /api/v1/courses/:id/gradebook", () => {
  it("shows each student's LATEST submission: finalScore (late penalty, override wins), late flag, count, state, link", async () => {
    const f = await twoCourses();
    // s1: two submissions; the latest (late by 2 days, penalty 10%/day) counts, not the better first one.
    await insertSubmission(db, { assignmentId: f.a1.id, userId: f.s1.id, number: 1, results: resultsOf(f.a1.tests, [true, true]) });
    const s1Latest = await insertSubmission(db, {
      assignmentId: f.a1.id,
      userId: f.s1.id,
      number: 2,
      daysLate: 2,
      results: resultsOf(f.a1.tests, [false, true]),
    });
    // s2: overridden (the override wins over the graded 2 and the late penalty).
    await insertSubmission(db, {
      assignmentId: f.a1.id,
      userId: f.s2.id,
      number: 1,
      daysLate: 1,
      overrideScore: 9.5,
      results: resultsOf(f.a1.tests, [true, false]),
    });
    // s3: submitted to the second assignment, still grading; nothing for the first.
    await insertSubmission(db, { assignmentId: f.a2.id, userId: f.s3.id, number: 1, executionStatus: "running" });
    // s1 on the second assignment: its grading failed.
    await insertSubmission(db, { assignmentId: f.a2.id, userId: f.s1.id, number: 1, executionStatus: "internal_error" });

    const res = await call("GET", `/api/v1/courses/${f.courseA}/gradebook`, f.teacher.token);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.json.assignments).toEqual([
      { id: f.a1.id, title: "Loops", dueAt: expect.any(String), maxScore: 10 },
      { id: f.a2.id, title: "Strings", dueAt: expect.any(String), maxScore: 5 },
    ]);
    const row = (u: User) => res.json.students.find((s: { userId: string }) => s.userId === u.id);
    expect(res.json.students).toHaveLength(3);
    expect(row(f.s1).cells[f.a1.id]).toEqual({
      submissionId: s1Latest,
      submissions: 2,
      score: 6.4,
      maxScore: 10,
      late: true,
      daysLate: 2,
      overridden: false,
      state: "graded",
      submittedAt: expect.any(String),
    });
    expect(row(f.s1).cells[f.a2.id]).toMatchObject({ state: "failed", score: null, submissions: 1 });
    expect(row(f.s1).total).toBe(6.4);
    expect(row(f.s2).cells[f.a1.id]).toMatchObject({ score: 9.5, overridden: true, late: true });
    expect(row(f.s2).cells[f.a2.id]).toBeNull();
    expect(row(f.s3).cells[f.a1.id]).toBeNull();
    expect(row(f.s3).cells[f.a2.id]).toMatchObject({ state: "grading", score: null, maxScore: 5 });
    expect(row(f.s3).total).toBe(0);

    // Filter and sort on the server.
    const view = async (query: string) =>
      (await call("GET", `/api/v1/courses/${f.courseA}/gradebook?${query}`, f.teacher.token)).json.students.map((s: { userId: string }) => s.userId);
    expect(await view("sort=total")).toEqual([f.s2.id, f.s1.id, f.s3.id]);
    expect(await view(`sort=${f.a1.id}&dir=asc`)).toEqual([f.s1.id, f.s2.id, f.s3.id]);
    expect(await view(`only=missing&assignment=${f.a1.id}`)).toEqual([f.s3.id]);
    expect((await view("only=late")).sort()).toEqual([f.s1.id, f.s2.id].sort());
    expect(await view(`q=${f.s3.username.slice(0, 8).toUpperCase()}`)).toEqual([f.s3.id]);
  });

  it("exports CSV: a row per student, a column per assignment, the total; formula-like names neutralized", async () => {
    const f = await twoCourses();
    await insertSubmission(db, { assignmentId: f.a1.id, userId: f.s1.id, number: 1, daysLate: 1, results: resultsOf(f.a1.tests, [true, true]) });
    await insertSubmission(db, { assignmentId: f.a2.id, userId: f.s2.id, number: 1, results: resultsOf(f.a2.tests, [true]) });
    // A name a spreadsheet would run (as from a provider with other username rules), written directly.
    await db.user.update({ where: { id: f.s3.id }, data: { username: "@SUM(1+1)*cmd" } });
    const res = await call("GET", `/api/v1/courses/${f.courseA}/gradebook?format=csv`, f.teacher.token);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="gradebook-intro-c-[a-z0-9]+-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = res.text.split("\r\n");
    expect(lines.at(-1)).toBe("");
    expect(lines.slice(0, -1).sort()).toEqual(
      ["Student,Loops,Strings,Total", `${f.s1.username},9,,9`, `"'${f.s2.username}",,5,5`, `"'@SUM(1+1)*cmd",,,0`].sort(),
    );
    expect(lines[0]).toBe("Student,Loops,Strings,Total");
  });
});

describe("GET /api/v1/courses/:id/events", () => {
  it("brings an appended course event to a following teacher, and resumes after Last-Event-ID", async () => {
    const f = await twoCourses();
    // Appended once the stream is up (its `ready`): the follower gets it live.
    let firstId = "";
    const events = await followEvents(f.courseA, f.teacher, (e) => e.some((x) => x.event === "grading"), {
      onReady: async () => {
        firstId = await appendCourseEvent(redis, f.courseA, "grading", { assignmentId: f.a1.id, gradingId: "g1", userId: f.s1.id, score: 7 });
      },
    });
    expect(events[0]?.event).toBe("ready");
    expect(events.find((e) => e.event === "grading")).toEqual({
      id: firstId,
      event: "grading",
      data: expect.objectContaining({ assignmentId: f.a1.id, gradingId: "g1", score: 7 }),
    });

    // Another course's events never reach this stream, and a reconnect after firstId gets only what came after it.
    await appendCourseEvent(redis, f.courseB, "grading", { assignmentId: f.b1.id, gradingId: "other" });
    const secondId = await appendCourseEvent(redis, f.courseA, "submission", { assignmentId: f.a1.id, submissionId: "s9" });
    const resumed = await followEvents(f.courseA, f.teacher, (e) => e.some((x) => x.event === "submission"), { lastEventId: firstId });
    expect(resumed.filter((e) => e.event !== "ready")).toEqual([{ id: secondId, event: "submission", data: { assignmentId: f.a1.id, submissionId: "s9" } }]);
  });

  it("ends the stream of a TA removed from the course (error access_revoked), as for room streams", async () => {
    const f = await twoCourses();
    const events = await followEvents(f.courseA, f.ta, (e) => e.some((x) => x.event === "error"), {
      onReady: () => db.courseMember.delete({ where: { courseId_userId: { courseId: f.courseA, userId: f.ta.id } } }),
    });
    expect(events.at(-1)).toEqual({ id: undefined, event: "error", data: expect.objectContaining({ code: "access_revoked" }) });
    expectError(await call("GET", `/api/v1/courses/${f.courseA}/events`, f.ta.token), 404, "not_found");
  });

  it("refuses a Last-Event-ID it did not give out", async () => {
    const f = await twoCourses();
    const res = await call("GET", `/api/v1/courses/${f.courseA}/events`, f.teacher.token, { "last-event-id": "$" });
    expectError(res, 400, "invalid_request");
  });
});

/** Writes what the runner writes when a re-grade grading finishes: results, score, finishedAt, the run succeeded. */
async function finishGrading(gradingId: string, results: ReturnType<typeof resultsOf>) {
  const g = await db.grading.update({
    where: { id: gradingId },
    data: {
      score: results.reduce((s, r) => s + r.points, 0),
      maxScore: results.reduce((s, r) => s + r.maxPoints, 0),
      finishedAt: new Date(),
      results: {
        create: results.map((r, position) => ({
          position,
          testId: r.testId,
          name: r.name,
          visibility: "visible",
          maxPoints: r.maxPoints,
          points: r.points,
          verdict: r.verdict,
        })),
      },
    },
  });
  if (g.executionId) await db.execution.update({ where: { id: g.executionId }, data: { status: "succeeded", finishedAt: new Date() } });
}

async function courseEvents(courseId: string) {
  const entries = (await redis.xrange(courseEventsKey(courseId), "-", "+")) as Array<[string, string[]]>;
  return entries.map(([, fields]) => ({ type: fields[1], data: JSON.parse(fields[3] ?? "{}") }));
}

describe("re-grades", () => {
  it("starts a set of batch gradings (none current), previews the changes, applies them in one go", async () => {
    const f = await twoCourses();
    // The test "large" was wrong: s1's first submission failed it, the re-grade passes it.
    const s1First = await insertSubmission(db, { assignmentId: f.a1.id, userId: f.s1.id, number: 1, results: resultsOf(f.a1.tests, [true, false]) });
    const s1Second = await insertSubmission(db, {
      assignmentId: f.a1.id,
      userId: f.s1.id,
      number: 2,
      daysLate: 1,
      results: resultsOf(f.a1.tests, [true, false]),
    });
    const s2Only = await insertSubmission(db, { assignmentId: f.a1.id, userId: f.s2.id, number: 1, results: resultsOf(f.a1.tests, [true, true]) });
    const before = await db.submission.findMany({ where: { assignmentId: f.a1.id }, select: { id: true, gradingId: true } });

    const started = await call("POST", `/api/v1/assignments/${f.a1.id}/regrades`, f.teacher.token);
    expect(started.status, started.text).toBe(201);
    expect(started.json).toMatchObject({ assignmentId: f.a1.id, status: "running", total: 3, done: 0, failed: 0, createdById: f.teacher.id });
    const setId = started.json.id as string;

    // One regrade grading per submission, none made current, each queued in the batch class.
    const gradings = await db.grading.findMany({ where: { regradeSetId: setId }, select: { id: true, kind: true, submissionId: true, executionId: true } });
    expect(gradings.map((g) => g.submissionId).sort()).toEqual([s1First, s1Second, s2Only].sort());
    expect(new Set(gradings.map((g) => g.kind))).toEqual(new Set(["regrade"]));
    for (const g of gradings) {
      const job = await queue.getJob(g.executionId!);
      expect(job, "the grading's job is queued").toBeDefined();
      expect(classOfPriority(job!.opts.priority ?? 0)).toBe("batch");
    }
    expect(await db.submission.findMany({ where: { assignmentId: f.a1.id }, select: { id: true, gradingId: true } })).toEqual(expect.arrayContaining(before));
    expect((await courseEvents(f.courseA)).at(-1)).toEqual({ type: "regrade", data: { assignmentId: f.a1.id, regradeSetId: setId, status: "running" } });

    // One open set per assignment; nothing to apply while gradings are queued.
    expectError(await call("POST", `/api/v1/assignments/${f.a1.id}/regrades`, f.teacher.token), 409, "regrade_running");
    expectError(await call("POST", `/api/v1/regrades/${setId}/apply`, f.teacher.token), 409, "regrade_not_ready");

    // The runner finishes two of them: progress 2/3, the preview shows what finished and changed.
    const of = (submissionId: string) => gradings.find((g) => g.submissionId === submissionId)!.id;
    await finishGrading(of(s1First), resultsOf(f.a1.tests, [true, true]));
    await finishGrading(of(s2Only), resultsOf(f.a1.tests, [true, true]));
    let progress = await call("GET", `/api/v1/regrades/${setId}`, f.teacher.token);
    expect(progress.json).toMatchObject({ status: "running", total: 3, done: 2, failed: 0 });
    expect(progress.json.preview).toEqual([
      {
        submissionId: s1First,
        userId: f.s1.id,
        username: f.s1.username,
        number: 1,
        oldScore: 2,
        newScore: 10,
        oldGraded: 2,
        newGraded: 10,
        failed: false,
        overridden: false,
        changed: true,
        tests: [{ name: "large", oldVerdict: "wrong_answer", newVerdict: "passed", oldPoints: 0, newPoints: 8 }],
      },
    ]);
    const all = await call("GET", `/api/v1/regrades/${setId}?changes=all`, f.teacher.token);
    expect(all.json.preview.map((p: { submissionId: string; changed: boolean }) => [p.submissionId, p.changed])).toEqual(
      expect.arrayContaining([
        [s1First, true],
        [s2Only, false],
      ]),
    );
    expect(all.json.preview).toHaveLength(2);

    // The last one finishes: the set is ready; applying switches every submission's current grading.
    await finishGrading(of(s1Second), resultsOf(f.a1.tests, [true, true]));
    progress = await call("GET", `/api/v1/regrades/${setId}`, f.teacher.token);
    expect(progress.json).toMatchObject({ status: "ready", done: 3 });
    const applied = await call("POST", `/api/v1/regrades/${setId}/apply`, f.teacher.token);
    expect(applied.status, applied.text).toBe(200);
    expect(applied.json).toMatchObject({ status: "applied", switched: 3, kept: 0 });
    const after = await db.submission.findMany({ where: { assignmentId: f.a1.id }, select: { id: true, gradingId: true } });
    for (const s of after) expect(s.gradingId).toBe(of(s.id));
    const book = await call("GET", `/api/v1/courses/${f.courseA}/gradebook`, f.teacher.token);
    const s1Row = book.json.students.find((s: { userId: string }) => s.userId === f.s1.id);
    expect(s1Row.cells[f.a1.id]).toMatchObject({ submissionId: s1Second, score: 9, late: true });
    expect((await courseEvents(f.courseA)).at(-1)).toEqual({ type: "regrade", data: { assignmentId: f.a1.id, regradeSetId: setId, status: "applied" } });

    // Closed now: neither applied again nor cancelled; the list shows it.
    expectError(await call("POST", `/api/v1/regrades/${setId}/apply`, f.teacher.token), 409, "regrade_closed");
    expectError(await call("POST", `/api/v1/regrades/${setId}/cancel`, f.teacher.token), 409, "regrade_closed");
    const list = await call("GET", `/api/v1/assignments/${f.a1.id}/regrades`, f.ta.token);
    expect(list.json.regrades).toEqual([expect.objectContaining({ id: setId, status: "applied", total: 3, done: 3 })]);
  });

  it("keeps a submission's grading when its re-grade run failed", async () => {
    const f = await twoCourses();
    const sub = await insertSubmission(db, { assignmentId: f.a1.id, userId: f.s1.id, number: 1, results: resultsOf(f.a1.tests, [true, false]) });
    const old = (await db.submission.findUniqueOrThrow({ where: { id: sub } })).gradingId;
    const started = await call("POST", `/api/v1/assignments/${f.a1.id}/regrades`, f.teacher.token);
    const [g] = await db.grading.findMany({ where: { regradeSetId: started.json.id } });
    await db.execution.update({ where: { id: g!.executionId! }, data: { status: "internal_error", finishedAt: new Date() } });
    const progress = await call("GET", `/api/v1/regrades/${started.json.id}?changes=all`, f.teacher.token);
    expect(progress.json).toMatchObject({ status: "ready", done: 1, failed: 1 });
    expect(progress.json.preview).toEqual([expect.objectContaining({ submissionId: sub, failed: true, changed: false, oldScore: 2, newScore: 2 })]);
    const applied = await call("POST", `/api/v1/regrades/${started.json.id}/apply`, f.teacher.token);
    expect(applied.json).toMatchObject({ status: "applied", switched: 0, kept: 1 });
    expect((await db.submission.findUniqueOrThrow({ where: { id: sub } })).gradingId).toBe(old);
  });

  it("cancel takes the set's queued gradings out of the queue, and the set is never applied", async () => {
    const f = await twoCourses();
    for (const [i, s] of [f.s1, f.s2, f.s3].entries()) {
      await insertSubmission(db, { assignmentId: f.a1.id, userId: s.id, number: 1, results: resultsOf(f.a1.tests, [i > 0, true]) });
    }
    const before = await db.submission.findMany({ where: { assignmentId: f.a1.id }, select: { id: true, gradingId: true } });
    const started = await call("POST", `/api/v1/assignments/${f.a1.id}/regrades`, f.teacher.token);
    const setId = started.json.id as string;
    const gradings = await db.grading.findMany({ where: { regradeSetId: setId }, select: { id: true, executionId: true } });
    expect(gradings).toHaveLength(3);
    // One finished before the cancel: it stays as it is, and is not applied either.
    await finishGrading(gradings[0]!.id, resultsOf(f.a1.tests, [true, true]));
    for (const g of gradings) expect(await queue.getJob(g.executionId!)).toBeDefined();

    const cancelled = await call("POST", `/api/v1/regrades/${setId}/cancel`, f.teacher.token);
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.json).toMatchObject({ status: "cancelled", total: 3 });
    for (const g of gradings.slice(1)) {
      expect(await queue.getJob(g.executionId!), "the queued job is gone").toBeUndefined();
      expect((await db.execution.findUniqueOrThrow({ where: { id: g.executionId! } })).status).toBe("cancelled");
    }
    expect((await db.execution.findUniqueOrThrow({ where: { id: gradings[0]!.executionId! } })).status).toBe("succeeded");
    expectError(await call("POST", `/api/v1/regrades/${setId}/apply`, f.teacher.token), 409, "regrade_closed");
    expect(await db.submission.findMany({ where: { assignmentId: f.a1.id }, select: { id: true, gradingId: true } })).toEqual(expect.arrayContaining(before));
    expect((await courseEvents(f.courseA)).at(-1)).toEqual({ type: "regrade", data: { assignmentId: f.a1.id, regradeSetId: setId, status: "cancelled" } });
    // Cancelling again answers the same; a new set may start now.
    expect((await call("POST", `/api/v1/regrades/${setId}/cancel`, f.teacher.token)).json.status).toBe("cancelled");
    const next = await call("POST", `/api/v1/assignments/${f.a1.id}/regrades`, f.teacher.token);
    expect(next.status).toBe(201);
    await call("POST", `/api/v1/regrades/${next.json.id}/cancel`, f.teacher.token);
  });

  it("refuses an assignment without submissions (409 nothing_to_regrade) and records nothing", async () => {
    const f = await twoCourses();
    expectError(await call("POST", `/api/v1/assignments/${f.a2.id}/regrades`, f.teacher.token), 409, "nothing_to_regrade");
    expect(await db.regradeSet.count({ where: { assignmentId: f.a2.id } })).toBe(0);
  });
});

describe("the gradebook of a large course", () => {
  it("is read in a fixed number of queries, not one per cell (300 students x 20 assignments)", async () => {
    const teacher = await register();
    const students = Array.from({ length: 300 }, (_, i) => ({ id: crypto.randomUUID(), username: `big_${uniqueName("s").slice(2, 10)}_${i}` }));
    await db.user.createMany({ data: students.map((s) => ({ id: s.id, username: s.username, usernameKey: s.username.toLowerCase(), passwordHash: "none" })) });
    const courseId = await insertCourse(db, "Big course", [
      { userId: teacher.id, role: "teacher" },
      ...students.map((s) => ({ userId: s.id, role: "student" as const })),
    ]);
    const assignments = Array.from({ length: 20 }, (_, i) => ({
      id: crypto.randomUUID(),
      courseId,
      title: `A${i}`,
      language: "python",
      dueAt: new Date(Date.now() + i * DAY),
    }));
    await db.assignment.createMany({ data: assignments });
    // Every student submitted every assignment once, graded i % 11 points.
    const rows = students.flatMap((s, i) =>
      assignments.map((a) => ({ s, a, score: i % 11, submissionId: crypto.randomUUID(), gradingId: crypto.randomUUID(), executionId: crypto.randomUUID() })),
    );
    await db.execution.createMany({
      data: rows.map((r) => ({ id: r.executionId, userId: r.s.id, language: "python", version: "3", limits: {}, status: "succeeded" })),
    });
    await db.submission.createMany({ data: rows.map((r) => ({ id: r.submissionId, assignmentId: r.a.id, userId: r.s.id, number: 1, files: [] })) });
    await db.grading.createMany({
      data: rows.map((r) => ({
        id: r.gradingId,
        executionId: r.executionId,
        assignmentId: r.a.id,
        userId: r.s.id,
        kind: "submission" as const,
        submissionId: r.submissionId,
        score: r.score,
        maxScore: 10,
        finishedAt: new Date(),
      })),
    });
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000);
      await db.$executeRawUnsafe(
        `UPDATE "Submission" s SET "gradingId" = v.g::uuid FROM (VALUES ${chunk.map((_, j) => `($${2 * j + 1}, $${2 * j + 2})`).join(",")}) AS v(s, g) WHERE s.id = v.s::uuid`,
        ...chunk.flatMap((r) => [r.submissionId, r.gradingId]),
      );
    }

    let queries = 0;
    const counted = db.$extends({
      query: {
        async $allOperations({ args, query }) {
          queries++;
          return query(args);
        },
      },
    }) as unknown as Database;
    const started = Date.now();
    const book = await loadGradebook(counted, { id: courseId, name: "Big course" });
    const ms = Date.now() - started;
    expect(queries).toBeLessThanOrEqual(4);
    expect(book.students).toHaveLength(300);
    expect(book.assignments).toHaveLength(20);
    const row = book.students.find((s) => s.userId === students[7]!.id)!;
    expect(row.total).toBe(7 * 20);
    expect(Object.values(row.cells).every((c) => c?.score === 7 && c.state === "graded")).toBe(true);

    // The same through the API (the figure goes to the notes; no timing is asserted).
    const apiStarted = Date.now();
    const res = await call("GET", `/api/v1/courses/${courseId}/gradebook`, teacher.token);
    expect(res.status).toBe(200);
    expect(res.json.students).toHaveLength(300);
    process.stderr.write(`[gradebook 300x20] ${queries} queries, load ${ms} ms, API ${Date.now() - apiStarted} ms, ${res.text.length} bytes\n`);
  });
});

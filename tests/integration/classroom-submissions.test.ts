import { describe, expect, it } from "vitest";
import { recordSubmission } from "../../lib/classroom/submissions/submit";
import { api, uniqueIp, webUrl } from "../support/api";
import { addStudent, courseEvents, DAY, db, finishedGrading, HOUR, makeAssignment, makeCourse, SECRET, workspaceOf } from "../support/classroom-submissions";
import { connectRoom, eventually, roomToken, type TestUser } from "../support/rooms";
import { signIn } from "../support/sessions";

/**
 * A student's Test and Submit, submissions, gradings and teachers'
 * overrides, through the HTTP API against the real stack. Courses and
 * assignments are made in the database (their routes are other parts'),
 * and finished gradings are inserted as the runner stores them (the
 * runner's grading is another part's): these tests own the rules, the role
 * checks and what each role sees.
 */
const as = (user: TestUser) => ({ token: user.token });
const post = (path: string, user: TestUser) => api("POST", path, { ...as(user), body: {} });
const get = (path: string, user: TestUser) => api("GET", path, as(user));

/** Course A with an assignment and a workspace for its first student, and course B with its own people. */
async function twoCourses() {
  const a = await makeCourse(2);
  const b = await makeCourse(1);
  const assignment = await makeAssignment(a.id);
  const [student, classmate] = a.students as [TestUser, TestUser];
  const roomId = await workspaceOf(assignment, student);
  return { a, b, assignment, student, classmate, roomId };
}

describe("role checks of every route, two courses", () => {
  it("Test and gradings: the student tests their workspace; staff, others and strangers cannot", async () => {
    const { a, b, assignment, student, classmate } = await twoCourses();
    const path = `/api/v1/assignments/${assignment.id}/test`;
    expect((await api("POST", path, { body: {} })).status).toBe(401);
    expect((await post(path, a.teacher)).json.error.code).toBe("forbidden");
    expect((await post(path, a.ta)).status).toBe(403);
    expect((await post(path, b.students[0]!)).status).toBe(404);
    expect((await post(path, b.teacher)).status).toBe(404);
    const none = await post(path, classmate);
    expect([none.status, none.json.error.code]).toEqual([409, "no_workspace"]);
    expect(none.json.error.message).toContain(`/assignments/${assignment.id}/workspace`);

    const started = await post(path, student);
    expect(started.status).toBe(202);
    const { gradingId } = started.json;
    const row = await db.grading.findUniqueOrThrow({ where: { id: gradingId }, include: { execution: { include: { files: true } } } });
    expect([row.kind, row.userId, row.submissionId]).toEqual(["test", student.id, null]);
    // The workspace's current files, as an interactive run.
    expect(row.execution?.files.map((f) => [f.name, Buffer.from(f.content).toString()])).toEqual([["main.py", "print(input())\n"]]);

    const g = `/api/v1/gradings/${gradingId}`;
    expect((await api("GET", g)).status).toBe(401);
    for (const who of [student, a.teacher, a.ta]) {
      const seen = await get(g, who);
      expect(seen.status).toBe(200);
      expect(["queued", "running", "finished", "failed"]).toContain(seen.json.status);
      expect(seen.json).toMatchObject({ id: gradingId, kind: "test", userId: student.id });
    }
    for (const who of [classmate, b.students[0]!, b.teacher]) expect((await get(g, who)).status).toBe(404);
    expect((await get("/api/v1/gradings/not-a-uuid", student)).status).toBe(404);
  });

  it("submissions: students submit and see their own; staff see all, filter by student and override", async () => {
    const { a, b, assignment, student, classmate } = await twoCourses();
    await workspaceOf(assignment, classmate);
    const path = `/api/v1/assignments/${assignment.id}/submissions`;
    expect((await api("POST", path, { body: {} })).status).toBe(401);
    expect((await post(path, a.teacher)).status).toBe(403);
    expect((await post(path, a.ta)).status).toBe(403);
    expect((await post(path, b.students[0]!)).status).toBe(404);
    const mine = await post(path, student);
    expect(mine.status).toBe(201);
    expect(mine.json).toMatchObject({
      number: 1,
      daysLate: 0,
      late: false,
      user: { id: student.id },
      files: [{ name: "main.py", content: "print(input())\n" }],
    });
    expect(["queued", "running", "finished", "failed"]).toContain(mine.json.status);
    const theirs = await post(path, classmate);
    expect(theirs.json.number).toBe(1);

    // Lists: own for students, all (or ?userId=) for staff, nothing across courses.
    const own = await get(path, student);
    expect(own.json.submissions.map((s: { id: string }) => s.id)).toEqual([mine.json.id]);
    expect(own.json.allowance).toMatchObject({ kind: "none", used: 1 });
    expect((await get(`${path}?userId=${classmate.id}`, student)).status).toBe(403);
    for (const staff of [a.teacher, a.ta]) {
      expect((await get(path, staff)).json.submissions).toHaveLength(2);
      const one = await get(`${path}?userId=${classmate.id}`, staff);
      expect(one.json.submissions.map((s: { id: string }) => s.id)).toEqual([theirs.json.id]);
    }
    expect((await get(`${path}?userId=nope`, a.teacher)).json.error.code).toBe("invalid_request");
    for (const who of [b.students[0]!, b.teacher]) expect((await get(path, who)).status).toBe(404);
    expect((await api("GET", path)).status).toBe(401);

    // One submission: its student and staff; not a classmate, not course B.
    const one = `/api/v1/submissions/${mine.json.id}`;
    for (const who of [student, a.teacher, a.ta]) expect((await get(one, who)).status).toBe(200);
    for (const who of [classmate, b.students[0]!, b.teacher]) expect((await get(one, who)).status).toBe(404);
    expect((await api("GET", one)).status).toBe(401);

    // Overrides: staff only; the student 403, others 404.
    const override = `${one}/override`;
    const body = { score: 4, comment: "Well argued." };
    expect((await api("PUT", override, { body })).status).toBe(401);
    expect((await api("PUT", override, { ...as(student), body })).status).toBe(403);
    for (const who of [classmate, b.teacher]) expect((await api("PUT", override, { ...as(who), body })).status).toBe(404);
    expect((await api("PUT", override, { ...as(a.ta), body })).status).toBe(200);
    expect((await api("DELETE", override, as(student))).status).toBe(403);
    expect((await api("DELETE", override, as(b.teacher))).status).toBe(404);
    expect((await api("DELETE", override, as(a.teacher))).status).toBe(200);
    expect((await api("PUT", override, { ...as(a.teacher), body: { score: -1 } })).json.error.code).toBe("invalid_request");
    expect((await api("PUT", override, { ...as(a.teacher), body: { score: null, comment: "" } })).json.error.code).toBe("invalid_request");
  });

  it("a re-grade is staff's preview until it is applied (the submission's current grading)", async () => {
    const { a, assignment, student } = await twoCourses();
    const made = await post(`/api/v1/assignments/${assignment.id}/submissions`, student);
    const regrade = await finishedGrading(assignment, student.id, { submissionId: made.json.id, kind: "regrade", makeCurrent: false });
    expect((await get(`/api/v1/gradings/${regrade.id}`, student)).status).toBe(404);
    expect((await get(`/api/v1/gradings/${regrade.id}`, a.teacher)).status).toBe(200);
    await db.submission.update({ where: { id: made.json.id }, data: { gradingId: regrade.id } });
    expect((await get(`/api/v1/gradings/${regrade.id}`, student)).json).toMatchObject({ kind: "regrade", status: "finished", score: 8 });
  });

  it("a student sees nothing of an assignment before it opens", async () => {
    const course = await makeCourse(1);
    const assignment = await makeAssignment(course.id, { opensAt: new Date(Date.now() + DAY) });
    const student = course.students[0]!;
    await workspaceOf(assignment, student);
    expect((await post(`/api/v1/assignments/${assignment.id}/submissions`, student)).status).toBe(404);
    expect((await post(`/api/v1/assignments/${assignment.id}/test`, student)).status).toBe(404);
    expect((await get(`/api/v1/assignments/${assignment.id}/submissions`, student)).status).toBe(404);
    expect((await get(`/api/v1/assignments/${assignment.id}/submissions`, course.teacher)).status).toBe(200);
  });
});

describe("deadlines and limits", () => {
  it("accepts late submissions until lateUntil, with the penalty per started day late", async () => {
    const course = await makeCourse(1);
    const student = course.students[0]!;
    const assignment = await makeAssignment(course.id, {
      dueAt: new Date(Date.now() - 2.5 * DAY),
      lateUntil: new Date(Date.now() + DAY),
      latePenaltyPerDay: 10,
    });
    await workspaceOf(assignment, student);
    const made = await post(`/api/v1/assignments/${assignment.id}/submissions`, student);
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ daysLate: 3, late: true });
    // Graded 5 of 10 (the hidden test and the after_due one passed): 30% off.
    await finishedGrading(assignment, student.id, { submissionId: made.json.id, verdicts: ["wrong_answer", "wrong_answer", "passed"] });
    const seen = await get(`/api/v1/submissions/${made.json.id}`, student);
    expect(seen.json).toMatchObject({ gradedScore: 5, score: 3.5, maxScore: 10, late: true, status: "finished" });
    const list = await get(`/api/v1/assignments/${assignment.id}/submissions`, course.teacher);
    expect(list.json.submissions[0]).toMatchObject({ score: 3.5, late: true, daysLate: 3 });
  });

  it("refuses after the deadline: dueAt without late submissions, lateUntil with them", async () => {
    const course = await makeCourse(1);
    const student = course.students[0]!;
    const due = new Date(Date.now() - HOUR);
    for (const [assignment, shown] of [
      [await makeAssignment(course.id, { dueAt: due }), due],
      [await makeAssignment(course.id, { dueAt: new Date(Date.now() - 3 * DAY), lateUntil: due }), due],
    ] as const) {
      await workspaceOf(assignment, student);
      const refused = await post(`/api/v1/assignments/${assignment.id}/submissions`, student);
      expect([refused.status, refused.json.error.code]).toEqual([409, "deadline_passed"]);
      expect(refused.json.error.message).toContain(shown.toISOString().slice(0, 16).replace("T", " "));
      expect(await db.submission.count({ where: { assignmentId: assignment.id } })).toBe(0);
      // Testing still works after the deadline (practice).
      expect((await post(`/api/v1/assignments/${assignment.id}/test`, student)).status).toBe(202);
    }
  });

  it("a hard cap: the submission past it is refused with 429 and no Retry-After", async () => {
    const course = await makeCourse(1);
    const student = course.students[0]!;
    const assignment = await makeAssignment(course.id, { submissionLimit: 2 });
    await workspaceOf(assignment, student);
    const path = `/api/v1/assignments/${assignment.id}/submissions`;
    expect((await post(path, student)).json.number).toBe(1);
    expect((await get(path, student)).json.allowance).toMatchObject({ kind: "cap", limit: 2, used: 1, available: 1 });
    expect((await post(path, student)).json.number).toBe(2);
    const refused = await post(path, student);
    expect([refused.status, refused.json.error.code]).toEqual([429, "submission_limit_reached"]);
    expect(refused.headers.get("retry-after")).toBeNull();
    expect((await get(path, student)).json.allowance).toMatchObject({ available: 0, nextAt: null });
  });

  it("a refilling budget: refused with Retry-After until one comes back, then accepted", async () => {
    const course = await makeCourse(1);
    const student = course.students[0]!;
    const assignment = await makeAssignment(course.id, { submissionLimit: 1, submissionRefillMinutes: 60 });
    await workspaceOf(assignment, student);
    const path = `/api/v1/assignments/${assignment.id}/submissions`;
    const first = await post(path, student);
    expect(first.status).toBe(201);
    const refused = await post(path, student);
    expect([refused.status, refused.json.error.code]).toEqual([429, "submission_limit_reached"]);
    const wait = Number(refused.headers.get("retry-after"));
    expect(wait).toBeGreaterThan(3000);
    expect(wait).toBeLessThanOrEqual(3600);
    const { allowance } = (await get(path, student)).json;
    expect(allowance).toMatchObject({ kind: "budget", available: 0 });
    expect(new Date(allowance.nextAt).getTime()).toBe(new Date(first.json.createdAt).getTime() + HOUR);
    // An hour later (the first submission moved back in time) one is back.
    await db.submission.update({ where: { id: first.json.id }, data: { createdAt: new Date(Date.now() - HOUR - 60_000) } });
    expect((await post(path, student)).json.number).toBe(2);
  });

  it("parallel submits cannot pass the cap (through the API and at the lock itself)", async () => {
    const course = await makeCourse(0);
    const assignment = await makeAssignment(course.id, { submissionLimit: 3 });
    const student = await addStudent(course);
    await workspaceOf(assignment, student);
    const path = `/api/v1/assignments/${assignment.id}/submissions`;
    // A user starts at most two room reads at once (429 rate_limited): those try again, as a client would.
    const submit = async (): Promise<number | string> => {
      for (;;) {
        const res = await api("POST", path, { ...as(student), body: {}, ip: uniqueIp() });
        if (res.status !== 429 || res.json.error.code !== "rate_limited") return res.status === 201 ? 201 : res.json.error.code;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 200));
      }
    };
    const answers = await Promise.all(Array.from({ length: 7 }, submit));
    expect(answers.filter((a) => a === 201)).toHaveLength(3);
    expect(answers.filter((a) => a !== 201)).toEqual(Array(4).fill("submission_limit_reached"));
    const rows = await db.submission.findMany({ where: { assignmentId: assignment.id }, select: { number: true } });
    expect(rows.map((r) => r.number).sort()).toEqual([1, 2, 3]);

    // The lock alone: many records at once for another student, limit 3.
    const other = await addStudent(course);
    const policy = { ...assignment, id: assignment.id };
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => recordSubmission(db, policy, other.id, [{ name: "main.py", content: "" }])));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    for (const r of results) if (r.status === "rejected") expect((r.reason as { code: string }).code).toBe("submission_limit_reached");
  });
});

describe("immutability, redaction and overrides", () => {
  it("editing the room after Submit does not change the submission; Test grades the live files", async () => {
    const { assignment, student, roomId } = await twoCourses();
    const made = await post(`/api/v1/assignments/${assignment.id}/submissions`, student);
    expect(made.status).toBe(201);
    const client = connectRoom(roomId, () => roomToken(roomId, student));
    try {
      await client.synced;
      const text = (client.doc.getMap("files").values().next().value as { get(k: string): { insert(i: number, s: string): void } }).get("text");
      text.insert(0, "# changed after submitting\n");
      // Test reads the live document: its files have the edit.
      await eventually(
        "the Test run sees the edit",
        async () => {
          const started = await post(`/api/v1/assignments/${assignment.id}/test`, student);
          const seen =
            started.status === 202 &&
            (await db.executionFile.findMany({ where: { execution: { grading: { id: started.json.gradingId as string } } } })).some((f) =>
              Buffer.from(f.content).toString().startsWith("# changed"),
            );
          // Not yet (the edit still on its way to collab): try again a little later, not in a tight loop of runs.
          if (!seen) await new Promise((r) => setTimeout(r, 500));
          return seen;
        },
        30_000,
      );
    } finally {
      client.destroy();
    }
    const again = await get(`/api/v1/submissions/${made.json.id}`, student);
    expect(again.json.files).toEqual([{ name: "main.py", content: "print(input())\n" }]);
    const grading = await db.grading.findUniqueOrThrow({ where: { id: made.json.grading.id }, include: { execution: { include: { files: true } } } });
    expect(Buffer.from(grading.execution!.files[0]!.content).toString()).toBe("print(input())\n");
  });

  it("a student never gets a hidden test's input, expected output, output, stderr or feedback, through any route", async () => {
    const { a, assignment, student } = await twoCourses();
    const made = await post(`/api/v1/assignments/${assignment.id}/submissions`, student);
    await finishedGrading(assignment, student.id, { submissionId: made.json.id });
    const tested = await finishedGrading(assignment, student.id, { kind: "test" });
    const cookie = await signIn(student.username, "correct horse battery staple");
    const routes = [`/api/v1/submissions/${made.json.id}`, `/api/v1/gradings/${tested.id}`, `/api/v1/assignments/${assignment.id}/submissions`];
    const pages = [`/submissions/${made.json.id}`, `/assignments/${assignment.id}/submissions`];
    const everything = async (user: TestUser) =>
      (await Promise.all(routes.map(async (r) => (await get(r, user)).text))).join("\n") +
      (user === student ? (await Promise.all(pages.map(async (p) => (await fetch(webUrl() + p, { headers: { cookie } })).text()))).join("\n") : "");

    // Before dueAt: hidden and after_due tests show name, verdict and points only.
    expect(await everything(student)).not.toContain(SECRET);
    const view = (await get(`/api/v1/submissions/${made.json.id}`, student)).json;
    expect(view.grading.tests.map((t: { name: string; hidden: boolean }) => [t.name, t.hidden])).toEqual([
      ["visible echo", false],
      ["hidden echo", true],
      ["after due echo", true],
    ]);
    expect(view.grading.tests[0]).toMatchObject({ stdin: "hello\n", expectedStdout: "hello\n", stdout: "hallo\n", stderr: "a warning\n", timeMs: 30 });
    expect(view.grading.tests[0].diff).toEqual([
      { kind: "expected", text: "hello\n" },
      { kind: "actual", text: "hallo\n" },
    ]);
    expect(view.grading.tests[1]).toEqual({ position: 1, name: "hidden echo", hidden: true, verdict: "passed", points: 3, maxPoints: 3 });
    expect(view.grading.score).toBe(8);
    // Staff see all of it.
    expect((await everything(a.teacher)).includes(`${SECRET} out`)).toBe(true);

    // hiddenFeedback nothing: the hidden tests are left out; the total still counts them.
    await db.assignment.update({ where: { id: assignment.id }, data: { hiddenFeedback: "nothing" } });
    const nothing = (await get(`/api/v1/gradings/${tested.id}`, student)).json;
    expect(nothing.tests.map((t: { name: string }) => t.name)).toEqual(["visible echo"]);
    expect([nothing.omittedHiddenTests, nothing.score, nothing.maxScore]).toEqual([2, 8, 10]);
    expect(await everything(student)).not.toContain("hidden echo");

    // After dueAt the after_due test is visible in full; the hidden one never is.
    await db.assignment.update({ where: { id: assignment.id }, data: { dueAt: new Date(Date.now() - 1000), hiddenFeedback: "verdict" } });
    const after = (await get(`/api/v1/submissions/${made.json.id}`, student)).json;
    expect(after.grading.tests[2]).toMatchObject({ hidden: false, stdin: `${SECRET} due-in\n`, expectedStdout: `${SECRET} due-out\n` });
    const all = await everything(student);
    for (const secret of [`${SECRET} in`, `${SECRET} out`, `${SECRET} printed 1`, `${SECRET} stderr 1`, `${SECRET} feedback 1`])
      expect(all).not.toContain(secret);
  });

  it("an override replaces the score everywhere, with the comment the student sees, and is announced", async () => {
    const { a, assignment, student } = await twoCourses();
    const made = await post(`/api/v1/assignments/${assignment.id}/submissions`, student);
    await finishedGrading(assignment, student.id, { submissionId: made.json.id });
    const one = `/api/v1/submissions/${made.json.id}`;
    expect((await get(one, student)).json.score).toBe(8);
    const set = await api("PUT", `${one}/override`, {
      ...as(a.teacher),
      body: { score: 9.5, comment: "Your hidden edge case was right; the test was wrong." },
    });
    expect(set.json).toMatchObject({ score: 9.5, override: { score: 9.5, comment: "Your hidden edge case was right; the test was wrong." } });
    const seen = await get(one, student);
    expect(seen.json).toMatchObject({ score: 9.5, gradedScore: 8, override: { comment: "Your hidden edge case was right; the test was wrong." } });
    expect((await get(`/api/v1/assignments/${assignment.id}/submissions`, student)).json.submissions[0]).toMatchObject({ score: 9.5, overridden: true });
    const cookie = await signIn(student.username, "correct horse battery staple");
    expect(await (await fetch(`${webUrl()}/submissions/${made.json.id}`, { headers: { cookie } })).text()).toContain("the test was wrong");
    // Comment only: the graded score counts.
    await api("PUT", `${one}/override`, { ...as(a.teacher), body: { score: null, comment: "See me." } });
    expect((await get(one, student)).json).toMatchObject({ score: 8, override: { score: null, comment: "See me." } });
    await api("DELETE", `${one}/override`, as(a.teacher));
    expect((await get(one, student)).json).toMatchObject({ score: 8, override: null });
    // The files never changed.
    expect((await get(one, student)).json.files).toEqual(made.json.files);

    const events = await courseEvents(a.id);
    expect(events.find((e) => e.type === "submission")?.data).toMatchObject({
      assignmentId: assignment.id,
      submissionId: made.json.id,
      userId: student.id,
      number: 1,
    });
    expect(events.filter((e) => e.type === "override").map((e) => e.data.overrideScore)).toEqual([9.5, null, null]);
  });
});

import { describe, expect, it } from "vitest";
import { api, registerUser } from "../support/api";
import { eventually, type TestUser } from "../support/rooms";

/**
 * The classroom through its API only, with the suite's real runner doing the
 * grading (the oci driver on the test image; nothing written to the
 * database by hand): a C assignment with io tests in several comparison
 * modes, a teacher's checker and a hidden test; a student who joined with an
 * invite code tests and submits; the teacher fixes the hidden test's expected
 * output, re-grades for real, previews the changed score and applies it; a
 * late submission loses its penalty; a submission limit refuses the next one.
 */

/** Grading shares two cores with the rest of the suite and waits its turn on the queue: be patient, never time it. */
const GRADED_MS = 300_000;

const as = (user: TestUser, method: string, path: string, body?: unknown) => api(method, path, { token: user.token, ...(body === undefined ? {} : { body }) });

/** What the first argument picks; prints exactly what each test's comparison mode has to forgive. */
const SOLUTION = String.raw`#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
  const char *m = argc > 1 ? argv[1] : "sum";
  if (!strcmp(m, "sum")) { long a, b; if (scanf("%ld %ld", &a, &b) != 2) return 3; printf("%ld\n", a + b); return 0; }
  if (!strcmp(m, "ws")) { printf("a b  \n\n\n"); return 0; }
  if (!strcmp(m, "tokens")) { printf("1\n2\t3   "); return 0; }
  if (!strcmp(m, "pi")) { printf("3.14159\n"); return 0; }
  if (!strcmp(m, "hello")) { printf("Hello, World 42\n"); return 0; }
  if (!strcmp(m, "square")) { long a; if (scanf("%ld", &a) != 1) return 3; printf("%ld\n", a * a); return 0; }
  return 1;
}
`;

/** A Kattis output validator: the student's tokens must equal the answer file's. */
const CHECKER = `import sys
answer = open(sys.argv[2]).read().split()
output = sys.stdin.read().split()
with open(sys.argv[3] + "/judgemessage.txt", "w") as f:
    f.write("matches" if output == answer else "expected %s, got %s" % (" ".join(answer), " ".join(output[:5])))
sys.exit(42 if output == answer else 43)
`;

/** Points: 6 visible io tests (1 each), a visible checker (2), a hidden io test (3) whose expected output has a typo. */
function suite(hiddenExpected: string) {
  const io = (name: string, args: string[], stdin: string, expectedStdout: string, comparison: object) => ({
    kind: "io",
    name,
    points: 1,
    visibility: "visible",
    args,
    stdin,
    expectedStdout,
    comparison,
  });
  return [
    io("exact sum", ["sum"], "2 3\n", "5\n", { mode: "exact" }),
    io("trailing whitespace", ["ws"], "", "a b\n", { mode: "trailing_whitespace" }),
    io("tokens", ["tokens"], "", "1 2 3\n", { mode: "tokens" }),
    io("numbers within 0.001", ["pi"], "", "3.1416", { mode: "numbers", absoluteTolerance: 0.001, relativeTolerance: 0 }),
    io("regex", ["hello"], "", "hello, \\w+ \\d+\\n", { mode: "regex", flags: "i" }),
    io("exact is strict", ["ws"], "", "a b\n", { mode: "exact" }),
    {
      kind: "checker",
      name: "checker squares",
      points: 2,
      visibility: "visible",
      args: ["square"],
      stdin: "7\n",
      answer: "49\n",
      checker: { language: "python", files: [{ name: "check.py", content: CHECKER }], args: [] },
    },
    {
      kind: "io",
      name: "hidden big sum",
      points: 3,
      visibility: "hidden",
      args: ["sum"],
      stdin: "4000000000 2\n",
      expectedStdout: hiddenExpected,
      comparison: { mode: "trailing_whitespace" },
    },
  ];
}
const RIGHT_HIDDEN = "4000000002\n";
const TYPO_HIDDEN = "4000000003\n";

async function waitForC(token: string): Promise<void> {
  await eventually(
    "a runner offering c and python",
    async () => {
      const res = await api("GET", "/api/v1/runtimes", { token });
      const langs = res.status === 200 ? (res.json as Array<{ language: string }>).map((r) => r.language) : [];
      return langs.includes("c") && langs.includes("python");
    },
    120_000,
  );
}

async function finishedGrading(user: TestUser, gradingId: string) {
  let view: any;
  await eventually(
    `grading ${gradingId} finished`,
    async () => {
      const res = await as(user, "GET", `/api/v1/gradings/${gradingId}`);
      expect(res.status).toBe(200);
      view = res.json;
      expect(view.status).not.toBe("failed");
      return view.status === "finished";
    },
    GRADED_MS,
  );
  return view;
}

async function finishedSubmission(user: TestUser, submissionId: string) {
  let view: any;
  await eventually(
    `submission ${submissionId} graded`,
    async () => {
      const res = await as(user, "GET", `/api/v1/submissions/${submissionId}`);
      expect(res.status).toBe(200);
      view = res.json;
      expect(view.status).not.toBe("failed");
      return view.status === "finished" && view.score !== null;
    },
    GRADED_MS,
  );
  return view;
}

const verdicts = (view: { tests: Array<{ name: string; verdict: string; points: number }> }) =>
  Object.fromEntries(view.tests.map((t) => [t.name, [t.verdict, t.points]]));

async function createAssignment(teacher: TestUser, courseId: string, fields: Record<string, unknown>) {
  const res = await as(teacher, "POST", `/api/v1/courses/${courseId}/assignments`, {
    language: "c",
    starterFiles: [{ name: "main.c", content: SOLUTION }],
    ...fields,
  });
  if (res.status !== 201) throw new Error(`assignment not created: ${res.status} ${res.text}`);
  const id = res.json.id as string;
  // The tests are their own resource (the editor's save PUTs them the same way).
  const put = await as(teacher, "PUT", `/api/v1/assignments/${id}/tests`, { tests: suite(TYPO_HIDDEN) });
  if (put.status !== 200) throw new Error(`tests not stored: ${put.status} ${put.text}`);
  return id;
}

async function openWorkspace(student: TestUser, assignmentId: string) {
  const res = await as(student, "POST", `/api/v1/assignments/${assignmentId}/workspace`);
  expect([200, 201]).toContain(res.status);
  return res.json.roomId as string;
}

describe("a C assignment graded by the real runner, through the API", () => {
  it("Test and Submit give the right verdicts and scores; a fixed test re-graded, previewed and applied; late penalty; the submission limit", async () => {
    const [teacher, student, other] = await Promise.all([registerUser(), registerUser(), registerUser()]);
    await waitForC(teacher.token);

    const course = await as(teacher, "POST", "/api/v1/courses", { name: "Systems programming" });
    expect(course.status).toBe(201);
    const courseId = course.json.id as string;
    const invite = await as(teacher, "POST", `/api/v1/courses/${courseId}/invites`, {});
    expect(invite.status).toBe(201);
    for (const s of [student, other]) {
      const joined = await as(s, "POST", "/api/v1/courses/join", { code: invite.json.code });
      expect(joined.status).toBe(200);
      expect(joined.json).toMatchObject({ courseId, role: "student", joined: true });
    }

    const assignmentId = await createAssignment(teacher, courseId, { title: "Small programs", dueAt: new Date(Date.now() + 7 * 86_400_000).toISOString() });
    await openWorkspace(student, assignmentId);

    // --- Test: the visible tests only, on the workspace's files.
    const tested = await as(student, "POST", `/api/v1/assignments/${assignmentId}/test`, {});
    expect(tested.status).toBe(202);
    const testView = await finishedGrading(student, tested.json.gradingId);
    expect(verdicts(testView)).toEqual({
      "exact sum": ["passed", 1],
      "trailing whitespace": ["passed", 1],
      tokens: ["passed", 1],
      "numbers within 0.001": ["passed", 1],
      regex: ["passed", 1],
      "exact is strict": ["wrong_answer", 0],
      "checker squares": ["passed", 2],
    });
    expect(testView.score).toBe(7);
    expect(testView.compileError).toBe(false);
    // The checker's message reaches the student for a visible test.
    expect(testView.tests.find((t: { name: string }) => t.name === "checker squares").feedback).toBe("matches");
    // The strict test shows its diff: expected against actual.
    const strict = testView.tests.find((t: { name: string }) => t.name === "exact is strict");
    expect(strict.expectedStdout).toBe("a b\n");
    expect(strict.stdout).toBe("a b  \n\n\n");

    // --- Submit: every test; the hidden one (a typo in its expected output) fails and shows only its verdict.
    const made = await as(student, "POST", `/api/v1/assignments/${assignmentId}/submissions`, {});
    expect(made.status).toBe(201);
    const submission = await finishedSubmission(student, made.json.id);
    expect(submission.late).toBe(false);
    expect(verdicts(submission.grading)).toMatchObject({
      "exact is strict": ["wrong_answer", 0],
      "checker squares": ["passed", 2],
      "hidden big sum": ["wrong_answer", 0],
    });
    expect(submission.score).toBe(7);
    expect(submission.maxScore).toBe(11);
    const hidden = submission.grading.tests.find((t: { name: string }) => t.name === "hidden big sum");
    expect(hidden.hidden).toBe(true);
    for (const field of ["stdin", "expectedStdout", "stdout", "stderr", "feedback", "diff"]) expect(hidden[field]).toBeUndefined();
    expect(JSON.stringify(submission)).not.toContain("4000000003");
    expect(JSON.stringify(submission)).not.toContain("4000000000");
    // Staff see it all.
    const staffView = await as(teacher, "GET", `/api/v1/submissions/${made.json.id}`);
    const staffHidden = staffView.json.grading.tests.find((t: { name: string }) => t.name === "hidden big sum");
    expect(staffHidden.expectedStdout).toBe(TYPO_HIDDEN);
    expect(staffHidden.stdout).toBe(RIGHT_HIDDEN);

    const cellOf = async (userId: string, aid: string) => {
      const book = await as(teacher, "GET", `/api/v1/courses/${courseId}/gradebook`);
      expect(book.status).toBe(200);
      return book.json.students.find((s: { userId: string }) => s.userId === userId)?.cells[aid] ?? null;
    };
    expect(await cellOf(student.id, assignmentId)).toMatchObject({ score: 7, maxScore: 11, state: "graded", late: false, submissions: 1 });

    // --- The teacher fixes the hidden test's expected output and re-grades: for real, in the batch class.
    const fixed = await as(teacher, "PUT", `/api/v1/assignments/${assignmentId}/tests`, { tests: suite(RIGHT_HIDDEN) });
    expect(fixed.status).toBe(200);
    // Regression: the earlier Test run still shows its diff, though saving the tests gave each a new id.
    const earlier = (await as(student, "GET", `/api/v1/gradings/${tested.json.gradingId}`)).json;
    const strictAgain = earlier.tests.find((t: { name: string }) => t.name === "exact is strict");
    expect(strictAgain.expectedStdout).toBe("a b\n");
    expect(strictAgain.diff).toEqual(strict.diff);
    // Nothing changes until the re-grade is applied.
    expect((await cellOf(student.id, assignmentId)).score).toBe(7);
    const started = await as(teacher, "POST", `/api/v1/assignments/${assignmentId}/regrades`);
    expect(started.status).toBe(201);
    expect(started.json).toMatchObject({ status: "running", total: 1 });
    const setId = started.json.id as string;
    let set: any;
    await eventually(
      "the re-grade finished",
      async () => {
        set = (await as(teacher, "GET", `/api/v1/regrades/${setId}`)).json;
        return set.status === "ready";
      },
      GRADED_MS,
    );
    expect(set).toMatchObject({ total: 1, done: 1, failed: 0 });
    expect(set.preview).toHaveLength(1);
    expect(set.preview[0]).toMatchObject({ submissionId: made.json.id, userId: student.id, oldScore: 7, newScore: 10, changed: true, failed: false });
    expect(set.preview[0].tests).toEqual([expect.objectContaining({ name: "hidden big sum", oldVerdict: "wrong_answer", newVerdict: "passed", newPoints: 3 })]);
    // Still the old score before apply.
    expect((await cellOf(student.id, assignmentId)).score).toBe(7);
    const applied = await as(teacher, "POST", `/api/v1/regrades/${setId}/apply`);
    expect(applied.status).toBe(200);
    expect(applied.json.status).toBe("applied");
    expect(await cellOf(student.id, assignmentId)).toMatchObject({ score: 10, state: "graded" });
    expect((await as(student, "GET", `/api/v1/submissions/${made.json.id}`)).json.score).toBe(10);

    // --- Late, with a penalty, and a limit of one submission.
    const lateId = await createAssignment(teacher, courseId, {
      title: "Late one",
      dueAt: new Date(Date.now() - 3_600_000).toISOString(),
      lateUntil: new Date(Date.now() + 86_400_000).toISOString(),
      latePenaltyPerDay: 25,
      submissionLimit: 1,
    });
    await openWorkspace(other, lateId);
    const lateMade = await as(other, "POST", `/api/v1/assignments/${lateId}/submissions`, {});
    expect(lateMade.status).toBe(201);
    const late = await finishedSubmission(other, lateMade.json.id);
    expect(late).toMatchObject({ late: true, daysLate: 1, gradedScore: 7, score: 5.25, maxScore: 11 });
    expect(await cellOf(other.id, lateId)).toMatchObject({ score: 5.25, late: true, daysLate: 1 });
    // The limit: the next one is refused, and nothing is made.
    const refused = await as(other, "POST", `/api/v1/assignments/${lateId}/submissions`, {});
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe("submission_limit_reached");
    const list = await as(other, "GET", `/api/v1/assignments/${lateId}/submissions`);
    expect(list.json.submissions).toHaveLength(1);
    expect(list.json.allowance).toMatchObject({ limit: 1, used: 1, available: 0 });
  }, 900_000);
});

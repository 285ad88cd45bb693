import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../lib/db/client";
import { api } from "../support/api";
import { courseWithMembers, inDays, testDatabase, upload, waitForPython } from "../support/classroom-assignments";

/**
 * Assignments and their tests through the API, as each role of two courses:
 * who may read, write, export and import; what a student never receives (a
 * hidden test's input or expected output, from any route); the 4xx codes of
 * bad input; each import format, malicious zips, and an export that imports
 * back to the same tests.
 */
let db: Database;
let A: Awaited<ReturnType<typeof courseWithMembers>>;
let B: Awaited<ReturnType<typeof courseWithMembers>>;

const SECRET = "S3CRET_hidden_marker";
const AFTER_DUE_SECRET = "AFTERDUE_marker";
const TESTS = [
  { kind: "io", name: "visible adds", points: 2, stdin: "1 2\n", expectedStdout: "3\n", comparison: { mode: "tokens" } },
  { kind: "io", name: "hidden adds", points: 3, visibility: "hidden", stdin: `${SECRET}_in`, expectedStdout: `${SECRET}_out`, args: [`${SECRET}_arg`] },
  { kind: "io", name: "after due", points: 1, visibility: "after_due", stdin: `${AFTER_DUE_SECRET}_in`, expectedStdout: `${AFTER_DUE_SECRET}_out` },
  {
    kind: "checker",
    name: "hidden checker",
    visibility: "hidden",
    answer: `${SECRET}_answer`,
    checker: { language: "python", files: [{ name: "check.py", content: `# ${SECRET}_checker\nexit(42)` }] },
  },
];

const base = { title: "Sum", language: "python", dueAt: inDays(7), statement: "# Sum\nAdd **two** numbers." };

async function createAs(token: string, courseId: string, body: Record<string, unknown> = {}) {
  return api("POST", `/api/v1/courses/${courseId}/assignments`, { token, body: { ...base, ...body } });
}

async function assignmentWithTests(courseId = A.courseId, token = A.teacher.token, body: Record<string, unknown> = {}) {
  const created = await createAs(token, courseId, body);
  expect(created.status, created.text).toBe(201);
  const put = await api("PUT", `/api/v1/assignments/${created.json.id}/tests`, { token, body: { tests: TESTS } });
  expect(put.status, put.text).toBe(200);
  return created.json.id as string;
}

beforeAll(async () => {
  db = testDatabase();
  [A, B] = await Promise.all([courseWithMembers(db, "Course A"), courseWithMembers(db, "Course B")]);
  await waitForPython(A.teacher.token);
});

afterAll(async () => {
  await db?.$disconnect();
});

describe("who may do what", () => {
  type Who = "teacher" | "ta" | "student" | "otherTeacher" | "otherStudent";
  const token = (w: Who) => ({ teacher: A.teacher, ta: A.ta, student: A.student, otherTeacher: B.teacher, otherStudent: B.student })[w].token;
  const WHO: Who[] = ["teacher", "ta", "student", "otherTeacher", "otherStudent"];
  let id: string;
  beforeAll(async () => {
    id = await assignmentWithTests();
  });

  const cases: Array<{ action: string; expect: Record<Who, number>; call(t: string): Promise<{ status: number }> }> = [
    {
      action: "list the course's assignments",
      expect: { teacher: 200, ta: 200, student: 200, otherTeacher: 404, otherStudent: 404 },
      call: (t) => api("GET", `/api/v1/courses/${A.courseId}/assignments`, { token: t }),
    },
    {
      action: "create an assignment",
      expect: { teacher: 201, ta: 403, student: 403, otherTeacher: 404, otherStudent: 404 },
      call: (t) => createAs(t, A.courseId),
    },
    {
      action: "read the assignment",
      expect: { teacher: 200, ta: 200, student: 200, otherTeacher: 404, otherStudent: 404 },
      call: (t) => api("GET", `/api/v1/assignments/${id}`, { token: t }),
    },
    {
      action: "change the assignment",
      expect: { teacher: 200, ta: 403, student: 403, otherTeacher: 404, otherStudent: 404 },
      call: (t) => api("PATCH", `/api/v1/assignments/${id}`, { token: t, body: { title: "Sum again" } }),
    },
    {
      action: "read the tests",
      expect: { teacher: 200, ta: 200, student: 403, otherTeacher: 404, otherStudent: 404 },
      call: (t) => api("GET", `/api/v1/assignments/${id}/tests`, { token: t }),
    },
    {
      action: "replace the tests",
      expect: { teacher: 200, ta: 403, student: 403, otherTeacher: 404, otherStudent: 404 },
      call: (t) => api("PUT", `/api/v1/assignments/${id}/tests`, { token: t, body: { tests: TESTS } }),
    },
    {
      action: "export the tests",
      expect: { teacher: 200, ta: 403, student: 403, otherTeacher: 404, otherStudent: 404 },
      call: (t) => api("GET", `/api/v1/assignments/${id}/tests/export`, { token: t }),
    },
    {
      action: "import tests",
      expect: { teacher: 200, ta: 403, student: 403, otherTeacher: 404, otherStudent: 404 },
      call: (t) =>
        upload(`/api/v1/assignments/${id}/tests/import?mode=replace`, t, JSON.stringify({ format: "sam-tests", version: 1, tests: TESTS }), "application/json"),
    },
  ];

  for (const c of cases) {
    it(`${c.action}: ${WHO.map((w) => `${w} ${c.expect[w]}`).join(", ")}`, async () => {
      for (const w of WHO) expect((await c.call(token(w))).status, `${w} ${c.action}`).toBe(c.expect[w]);
    });
  }

  it("delete: only the course's teacher; then it is gone for everyone", async () => {
    const doomed = await assignmentWithTests();
    for (const w of ["ta", "student", "otherTeacher", "otherStudent"] as Who[]) {
      expect((await api("DELETE", `/api/v1/assignments/${doomed}`, { token: token(w) })).status, w).toBe(w.startsWith("other") ? 404 : 403);
    }
    expect((await api("DELETE", `/api/v1/assignments/${doomed}`, { token: A.teacher.token })).status).toBe(204);
    expect((await api("GET", `/api/v1/assignments/${doomed}`, { token: A.teacher.token })).status).toBe(404);
    expect(await db.assignmentTest.count({ where: { assignmentId: doomed } })).toBe(0);
  });

  it("without a session or token every route is 401", async () => {
    for (const [method, path] of [
      ["GET", `/api/v1/courses/${A.courseId}/assignments`],
      ["GET", `/api/v1/assignments/${id}`],
      ["GET", `/api/v1/assignments/${id}/tests`],
      ["GET", `/api/v1/assignments/${id}/tests/export`],
    ] as const) {
      expect((await api(method, path)).status, path).toBe(401);
    }
  });
});

describe("what a student sees", () => {
  let id: string;
  beforeAll(async () => {
    id = await assignmentWithTests();
  });

  it("the statement, dates, limits and the visible tests in full; hidden ones as a count and points", async () => {
    const res = await api("GET", `/api/v1/assignments/${id}`, { token: A.student.token });
    expect(res.status).toBe(200);
    expect(res.json.statement).toBe(base.statement);
    expect(res.json.dueAt).toBe(base.dueAt);
    expect(res.json.role).toBe("student");
    expect(res.json.tests).toEqual([
      {
        position: 0,
        name: "visible adds",
        points: 2,
        kind: "io",
        visibility: "visible",
        stdin: "1 2\n",
        args: [],
        expectedStdout: "3\n",
        expectedExitCode: null,
        comparison: { mode: "tokens" },
      },
    ]);
    expect(res.json.hiddenTests).toEqual({ count: 3, points: 5 });
    expect(res.json.points).toBe(7);
    expect(res.json).not.toHaveProperty("starterFiles");
  });

  it("no route gives a student a hidden test's input, args, expected output or checker", async () => {
    const routes = [
      `/api/v1/courses/${A.courseId}/assignments`,
      `/api/v1/assignments/${id}`,
      `/api/v1/assignments/${id}/tests`,
      `/api/v1/assignments/${id}/tests/export`,
    ];
    for (const path of routes) {
      const res = await api("GET", path, { token: A.student.token });
      expect(res.text, path).not.toContain(SECRET);
      expect(res.text, path).not.toContain(AFTER_DUE_SECRET);
    }
    const put = await api("PUT", `/api/v1/assignments/${id}/tests`, { token: A.student.token, body: { tests: [] } });
    expect(put.text).not.toContain(SECRET);
    // Staff do see them.
    const staff = await api("GET", `/api/v1/assignments/${id}/tests`, { token: A.ta.token });
    expect(staff.text).toContain(`${SECRET}_out`);
    expect(staff.json.tests).toHaveLength(4);
  });

  it("after the due date, after_due tests are shown to students; hidden ones still not", async () => {
    const past = await assignmentWithTests(A.courseId, A.teacher.token, { opensAt: inDays(-3), dueAt: inDays(-1) });
    const res = await api("GET", `/api/v1/assignments/${past}`, { token: A.student.token });
    expect(res.json.tests.map((t: { name: string }) => t.name)).toEqual(["visible adds", "after due"]);
    expect(res.text).toContain(`${AFTER_DUE_SECRET}_out`);
    expect(res.text).not.toContain(SECRET);
    expect(res.json.hiddenTests).toEqual({ count: 2, points: 4 });
  });

  it("an assignment that has not opened is not listed for students and is 404 to them; staff see it", async () => {
    const later = await createAs(A.teacher.token, A.courseId, { title: "Later", opensAt: inDays(2) });
    expect(later.status).toBe(201);
    const forStudent = await api("GET", `/api/v1/courses/${A.courseId}/assignments`, { token: A.student.token });
    expect(forStudent.json.assignments.map((a: { id: string }) => a.id)).not.toContain(later.json.id);
    expect(forStudent.json.assignments.map((a: { id: string }) => a.id)).toContain(id);
    expect((await api("GET", `/api/v1/assignments/${later.json.id}`, { token: A.student.token })).status).toBe(404);
    const forTa = await api("GET", `/api/v1/courses/${A.courseId}/assignments`, { token: A.ta.token });
    expect(forTa.json.assignments.map((a: { id: string }) => a.id)).toContain(later.json.id);
  });

  it("course B's people see nothing of course A's assignments", async () => {
    const list = await api("GET", `/api/v1/courses/${B.courseId}/assignments`, { token: B.student.token });
    expect(list.status).toBe(200);
    expect(list.json.assignments.map((a: { id: string }) => a.id)).not.toContain(id);
  });
});

describe("bad input gets a 4xx with a code", () => {
  const bad: Array<[string, Record<string, unknown>, number, string, RegExp?]> = [
    ["an unknown language", { language: "cobol" }, 400, "unknown_language", /Valid languages/],
    ["lateUntil before dueAt", { lateUntil: inDays(6) }, 400, "invalid_request", /lateUntil must be at or after dueAt/],
    ["a late penalty above 100", { latePenaltyPerDay: 150 }, 400, "invalid_request", /latePenaltyPerDay/],
    ["a submission limit of 0", { submissionLimit: 0 }, 400, "invalid_request", /submissionLimit/],
    ["a refill without a limit", { submissionRefillMinutes: 60 }, 400, "invalid_request", /submissionRefillMinutes needs a submissionLimit/],
    ["hiddenFeedback of another kind", { hiddenFeedback: "all" }, 400, "invalid_request", /hiddenFeedback/],
    ["a limit above the server's", { limits: { cpuTimeMs: 10_000_000 } }, 400, "limit_too_high", /cpuTimeMs/],
    ["a limit below what a sandbox needs", { limits: { memoryMb: 1 } }, 400, "limit_too_low", /memoryMb/],
    ["a starter file that climbs out", { starterFiles: [{ name: "../x.py", content: "" }] }, 400, "invalid_request", /starterFiles/],
    [
      "two starter files of one name",
      {
        starterFiles: [
          { name: "a.py", content: "" },
          { name: "a.py", content: "" },
        ],
      },
      400,
      "invalid_request",
      /two starter files/,
    ],
    ["no dueAt", { dueAt: undefined }, 400, "invalid_request", /dueAt/],
    ["an unknown field", { colour: "red" }, 400, "invalid_request"],
  ];
  for (const [what, body, status, code, message] of bad) {
    it(`${what}: ${status} ${code}`, async () => {
      const res = await createAs(A.teacher.token, A.courseId, body);
      expect(res.status, res.text).toBe(status);
      expect(res.json.error.code).toBe(code);
      if (message) expect(res.json.error.message).toMatch(message);
    });
  }

  it("a PATCH is checked against what is stored (lateUntil before the stored dueAt)", async () => {
    const created = await createAs(A.teacher.token, A.courseId);
    const res = await api("PATCH", `/api/v1/assignments/${created.json.id}`, { token: A.teacher.token, body: { lateUntil: inDays(1) } });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("invalid_request");
    const ok = await api("PATCH", `/api/v1/assignments/${created.json.id}`, { token: A.teacher.token, body: { lateUntil: inDays(9), latePenaltyPerDay: 10 } });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json.latePenaltyPerDay).toBe(10);
  });

  it("tests: a bad test, too many tests, or a limit above the server's", async () => {
    const id = await assignmentWithTests();
    const put = (tests: unknown[]) => api("PUT", `/api/v1/assignments/${id}/tests`, { token: A.teacher.token, body: { tests } });
    const badKind = await put([{ kind: "magic", name: "x" }]);
    expect([badKind.status, badKind.json.error.code]).toEqual([400, "invalid_request"]);
    const noExpected = await put([{ kind: "io", name: "x" }]);
    expect(noExpected.json.error.message).toMatch(/tests\.0\.expectedStdout/);
    const many = await put(Array.from({ length: 101 }, (_, i) => ({ kind: "io", name: `t${i}`, expectedStdout: "" })));
    expect([many.status, many.json.error.code]).toEqual([400, "invalid_request"]);
    const checker = await put([{ kind: "checker", name: "c", checker: { language: "cobol", files: [{ name: "c.cob", content: "" }] } }]);
    expect([checker.status, checker.json.error.code]).toEqual([400, "unknown_language"]);
    expect(checker.json.error.message).toMatch(/tests\.0 \("c"\): the checker's language/);
    const high = await put([{ kind: "io", name: "x", expectedStdout: "", limits: { wallTimeMs: 10_000_000 } }]);
    expect([high.status, high.json.error.code]).toEqual([400, "limit_too_high"]);
    // Nothing of the refused lists was stored.
    expect((await api("GET", `/api/v1/assignments/${id}/tests`, { token: A.teacher.token })).json.tests).toHaveLength(TESTS.length);
  });
});

describe("export and import", () => {
  it("export -> import into another assignment gives the same tests and limits", async () => {
    const from = await assignmentWithTests(A.courseId, A.teacher.token, { limits: { wallTimeMs: 3000 } });
    const exported = await api("GET", `/api/v1/assignments/${from}/tests/export`, { token: A.teacher.token });
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-disposition")).toMatch(/^attachment; filename="sum\.sam-tests\.json"$/);
    expect(exported.json.format).toBe("sam-tests");
    const to = (await createAs(B.teacher.token, B.courseId)).json.id;
    const imported = await upload(`/api/v1/assignments/${to}/tests/import`, B.teacher.token, exported.text, "application/json");
    expect(imported.status, imported.text).toBe(200);
    expect(imported.json).toMatchObject({ format: "sam-tests", mode: "replace", imported: 4, warnings: [] });
    const again = await api("GET", `/api/v1/assignments/${to}/tests/export`, { token: B.teacher.token });
    expect(again.json).toEqual(exported.json);
  });

  it("append adds after the existing tests; past 100 it is refused with too_many_tests", async () => {
    const id = await assignmentWithTests();
    const file = { format: "sam-tests", version: 1, tests: [{ kind: "io", name: "more", expectedStdout: "x" }] };
    const appended = await upload(`/api/v1/assignments/${id}/tests/import?mode=append`, A.teacher.token, JSON.stringify(file), "application/json");
    expect(appended.status, appended.text).toBe(200);
    expect(appended.json.tests.map((t: { name: string; position: number }) => [t.position, t.name]).slice(-2)).toEqual([
      [3, "hidden checker"],
      [4, "more"],
    ]);
    const big = { ...file, tests: Array.from({ length: 100 }, (_, i) => ({ kind: "io", name: `t${i}`, expectedStdout: "" })) };
    const refused = await upload(`/api/v1/assignments/${id}/tests/import?mode=append`, A.teacher.token, JSON.stringify(big), "application/json");
    expect([refused.status, refused.json.error.code]).toEqual([400, "too_many_tests"]);
    const badMode = await upload(`/api/v1/assignments/${id}/tests/import?mode=merge`, A.teacher.token, JSON.stringify(file), "application/json");
    expect([badMode.status, badMode.json.error.code]).toEqual([400, "invalid_request"]);
  });

  it("GitHub Classroom's autograding.json imports with a warning per setup step", async () => {
    const id = (await createAs(A.teacher.token, A.courseId)).json.id;
    const autograding = {
      tests: [
        { name: "prints hello", setup: "", run: "python main.py", input: "", output: "hello", comparison: "included", timeout: 1, points: 4 },
        { name: "unit tests", setup: "pip install pytest", run: "pytest -q", input: "", output: "", comparison: "included", timeout: 5, points: 6 },
      ],
    };
    const res = await upload(`/api/v1/assignments/${id}/tests/import`, A.teacher.token, JSON.stringify(autograding), "application/json");
    expect(res.status, res.text).toBe(200);
    expect(res.json.format).toBe("autograding");
    expect(res.json.tests.map((t: { kind: string; points: number }) => [t.kind, t.points])).toEqual([
      ["io", 4],
      ["command", 6],
    ]);
    expect(res.json.warnings.some((w: { test: string; message: string }) => w.test === "unit tests" && /setup step/.test(w.message))).toBe(true);
  });

  it("a Kattis package imports samples as visible and secret data as hidden, and fills an empty statement", async () => {
    const id = (await createAs(A.teacher.token, A.courseId, { statement: "" })).json.id;
    const pkg = zipSync({
      "hello/problem.yaml": strToU8("name: Hello\n"),
      "hello/data/sample/1.in": strToU8("1\n"),
      "hello/data/sample/1.ans": strToU8("2\n"),
      "hello/data/secret/1.in": strToU8("5\n"),
      "hello/data/secret/1.ans": strToU8("6\n"),
      "hello/problem_statement/problem.en.md": strToU8("Add one."),
    });
    const res = await upload(`/api/v1/assignments/${id}/tests/import`, A.teacher.token, pkg, "application/zip");
    expect(res.status, res.text).toBe(200);
    expect(res.json.format).toBe("kattis");
    expect(res.json.tests.map((t: { name: string; visibility: string }) => [t.name, t.visibility])).toEqual([
      ["sample/1", "visible"],
      ["secret/1", "hidden"],
    ]);
    expect(res.json.statementSet).toBe(true);
    expect((await api("GET", `/api/v1/assignments/${id}`, { token: A.student.token })).json.statement).toBe("Add one.");
  });

  it("malicious or broken uploads are refused with a clear code and change nothing", async () => {
    const id = await assignmentWithTests();
    const send = (body: Uint8Array | string, type = "application/zip") => upload(`/api/v1/assignments/${id}/tests/import`, A.teacher.token, body, type);
    const bomb = zipSync({ "data/secret/1.in": new Uint8Array(100 * 1024 * 1024), "data/secret/1.ans": strToU8("x") }, { level: 9 });
    const many = zipSync(Object.fromEntries(Array.from({ length: 2001 }, (_, i) => [`data/secret/${i}.in`, strToU8("x")])));
    const climbing = zipSync({ "../../etc/cron.d/evil": strToU8("x"), "data/sample/1.in": strToU8("1"), "data/sample/1.ans": strToU8("1") });
    const cases: Array<[string, Uint8Array | string, number, string, string?]> = [
      ["a zip bomb", bomb, 413, "zip_too_large"],
      ["too many entries", many, 413, "zip_too_many_entries"],
      ["a name with ..", climbing, 400, "zip_unsafe_path"],
      ["a cut zip", bomb.slice(0, 100), 400, "invalid_zip"],
      ["not a format we know", "hello", 400, "import_format_unknown", "text/plain"],
      ["an empty body", "", 400, "import_format_unknown"],
      [
        "an interactive Kattis problem",
        zipSync({ "problem.yaml": strToU8("validation: custom interactive\n"), "data/sample/1.in": strToU8("1") }),
        400,
        "invalid_test_file",
      ],
    ];
    for (const [what, body, status, code, type] of cases) {
      const res = await send(body, type);
      expect([res.status, res.json?.error?.code], what).toEqual([status, code]);
    }
    const tooBig = await send(new Uint8Array(17 * 1024 * 1024));
    expect([tooBig.status, tooBig.json?.error?.code]).toEqual([413, "payload_too_large"]);
    expect((await api("GET", `/api/v1/assignments/${id}/tests`, { token: A.teacher.token })).json.tests).toHaveLength(TESTS.length);
  });
});

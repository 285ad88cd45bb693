import { describe, expect, it } from "vitest";
import { api } from "../support/api";
import { DAY, db, makeAssignment, makeCourse } from "../support/classroom-submissions";

/**
 * JSON and the request schemas let through values PostgreSQL refuses: a NUL
 * character (U+0000) in a statement, a starter file, a test's input or
 * name, an override's comment or a student's submitted file, and dates
 * before 4713 BC. Each was an opaque 500 logged as our error; it is the
 * client's, and is now 400 invalid_request saying what to remove.
 */
describe("attack: values the database cannot store", () => {
  it("are refused with 400, not 500", async () => {
    const course = await makeCourse(1);
    const assignment = await makeAssignment(course.id);
    const token = course.teacher.token;
    const submission = await db.submission.create({
      data: { assignmentId: assignment.id, userId: course.students[0]!.id, number: 1, files: [{ name: "main.py", content: "print(1)\n" }], daysLate: 0 },
    });
    const attempts: Array<[string, string, unknown]> = [
      ["PATCH", `/api/v1/assignments/${assignment.id}`, { statement: "before\u0000after" }],
      ["PATCH", `/api/v1/assignments/${assignment.id}`, { starterFiles: [{ name: "main.py", content: "\u0000" }] }],
      ["PATCH", `/api/v1/assignments/${assignment.id}`, { dueAt: "-100000-01-01T00:00:00Z" }],
      ["PATCH", `/api/v1/assignments/${assignment.id}`, { dueAt: -8.64e15 }],
      ["PUT", `/api/v1/assignments/${assignment.id}/tests`, { tests: [{ kind: "io", name: "t", stdin: "\u0000", expectedStdout: "x" }] }],
      ["PUT", `/api/v1/assignments/${assignment.id}/tests`, { tests: [{ kind: "io", name: "t\u0000", expectedStdout: "x" }] }],
      ["PUT", `/api/v1/submissions/${submission.id}/override`, { score: 1, comment: "good\u0000" }],
    ];
    for (const [method, path, body] of attempts) {
      const res = await api(method, path, { token, body });
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(res.json.error.code).toBe("invalid_request");
      expect(res.json.error.message).toMatch(/NUL character|4713 BC/);
    }
    // Nothing changed.
    const stored = await db.assignment.findUniqueOrThrow({ where: { id: assignment.id } });
    expect(stored.statement).toBe("");
    expect(stored.dueAt.getTime()).toBeGreaterThan(Date.now() + DAY / 2);
    expect(await db.assignmentTest.count({ where: { assignmentId: assignment.id } })).toBe(3);
    // Ordinary values still work.
    expect((await api("PATCH", `/api/v1/assignments/${assignment.id}`, { token, body: { statement: "# Echo" } })).status).toBe(200);
  });
});

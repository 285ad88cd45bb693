import { describe, expect, it } from "vitest";
import { outputDiff } from "../../lib/classroom/submissions/diff";
import { api } from "../support/api";
import { DAY, db, makeCourse } from "../support/classroom-submissions";

/**
 * A grading view diffs each test's expected output against the program's
 * output, on the web process's only thread, every time the page polls it.
 * Myers' diff costs lines x differences: a visible test expecting 32,000
 * short lines and a student's program printing 32,000 other ones (64 KiB
 * each, under every size bound) held the web process for minutes per view.
 * The diff is now bounded in differences per test and in bytes per view.
 */
const lines = (n: number, line: string) => `${line}\n`.repeat(n);

describe("attack: a grading whose output differs from the expected one in every line", () => {
  it("is diffed in bounded time, or not at all", () => {
    // Past MAX_DIFF_EDITS differing lines the diff gives up (it took minutes of the web process unbounded).
    expect(outputDiff(lines(32_000, "a"), lines(32_000, "b"))).toBeNull();
    // A small difference in a large output still gets its diff.
    const big = Array.from({ length: 5_000 }, (_, i) => `line ${i}`).join("\n");
    expect(outputDiff(big, big.replace("line 777\n", "line 7777\n"))?.some((p) => p.kind === "actual")).toBe(true);
  });

  it("does not hold the web process while a student opens the grading", async () => {
    const course = await makeCourse(1);
    const student = course.students[0]!;
    const assignment = await db.assignment.create({
      data: { courseId: course.id, title: "Lines", language: "python", dueAt: new Date(Date.now() + DAY) },
    });
    const expected = lines(32_000, "a");
    const tests = await Promise.all(
      [0, 1, 2, 3].map((position) =>
        db.assignmentTest.create({
          data: {
            assignmentId: assignment.id,
            position,
            name: `lines ${position}`,
            points: 1,
            visibility: "visible",
            kind: "io",
            spec: { stdin: "", args: [], expectedStdout: expected, comparison: { mode: "exact" } },
          },
        }),
      ),
    );
    const grading = await db.grading.create({
      data: {
        assignmentId: assignment.id,
        userId: student.id,
        kind: "test",
        score: 0,
        maxScore: tests.length,
        finishedAt: new Date(),
        results: {
          create: tests.map((t) => ({
            position: t.position,
            testId: t.id,
            name: t.name,
            visibility: "visible" as const,
            maxPoints: 1,
            points: 0,
            verdict: "wrong_answer" as const,
            exitCode: 0,
            stdout: Buffer.from(lines(32_000, "b")),
            stderr: Buffer.from(""),
          })),
        },
      },
    });

    const started = Date.now();
    const views = await Promise.all([
      api("GET", `/api/v1/gradings/${grading.id}`, { token: student.token }),
      api("GET", `/api/v1/gradings/${grading.id}`, { token: course.teacher.token }),
    ]);
    const elapsed = Date.now() - started;
    for (const view of views) {
      expect(view.status).toBe(200);
      expect(view.json.tests).toHaveLength(4);
      // The outputs are shown; the diff is left out.
      expect(view.json.tests[0].stdout).toHaveLength(64_000);
      expect(view.json.tests.every((t: { diff: unknown }) => t.diff === null)).toBe(true);
    }
    // Before: minutes. Generous for a shared, busy test machine.
    expect(elapsed).toBeLessThan(15_000);
    const health = await api("GET", "/api/v1/health?scope=web");
    expect(health.status).toBe(200);
  });
});

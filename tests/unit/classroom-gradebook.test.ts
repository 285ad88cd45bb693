import { describe, expect, it } from "vitest";
import { cellOf, gradingState, type LatestSubmission } from "../../lib/classroom/gradebook/cells";
import { gradebookCsv, gradebookFileName, textField } from "../../lib/classroom/gradebook/csv";
import type { Gradebook } from "../../lib/classroom/gradebook/model";
import { viewGradebook } from "../../lib/classroom/gradebook/view";
import { submissionChange, testChanges } from "../../lib/classroom/regrades/diff";

const A1 = "11111111-1111-4111-8111-111111111111";
const A2 = "22222222-2222-4222-8222-222222222222";

function latest(over: Partial<LatestSubmission> = {}): LatestSubmission {
  return {
    assignmentId: A1,
    userId: "u1",
    submissionId: "s1",
    number: 2,
    count: 2,
    submittedAt: new Date("2026-11-20T10:00:00Z"),
    daysLate: 0,
    overrideScore: null,
    gradingId: "g1",
    gradedScore: 8,
    gradedMaxScore: 10,
    gradingFinishedAt: new Date("2026-11-20T10:00:05Z"),
    executionStatus: "succeeded",
    ...over,
  };
}

describe("gradebook cells", () => {
  it("scores a graded latest submission with finalScore: late penalty per started day, override wins", () => {
    expect(cellOf(latest(), { latePenaltyPerDay: 10, maxScore: 10 })).toMatchObject({ score: 8, maxScore: 10, late: false, submissions: 2, state: "graded" });
    expect(cellOf(latest({ daysLate: 2 }), { latePenaltyPerDay: 10, maxScore: 10 })).toMatchObject({ score: 6.4, late: true, daysLate: 2 });
    expect(cellOf(latest({ daysLate: 2, overrideScore: 9.5 }), { latePenaltyPerDay: 10, maxScore: 10 })).toMatchObject({
      score: 9.5,
      overridden: true,
      late: true,
    });
  });

  it("has no score until the grading finished, and the assignment's total as max", () => {
    const cell = cellOf(latest({ gradingFinishedAt: null, gradedScore: null, executionStatus: "running" }), { latePenaltyPerDay: 0, maxScore: 12 });
    expect(cell).toMatchObject({ score: null, maxScore: 12, state: "grading" });
  });

  it("names the grading's state from its execution", () => {
    const state = (gradingId: string | null, finished: boolean, executionStatus: string | null) =>
      gradingState({ gradingId, gradingFinishedAt: finished ? new Date() : null, executionStatus });
    expect(state(null, false, null)).toBe("queued");
    expect(state("g", false, "queued")).toBe("queued");
    expect(state("g", false, "running")).toBe("grading");
    expect(state("g", false, "succeeded")).toBe("grading");
    expect(state("g", true, "succeeded")).toBe("graded");
    expect(state("g", false, "internal_error")).toBe("failed");
    expect(state("g", false, "cancelled")).toBe("failed");
    expect(state("g", false, null)).toBe("failed");
  });
});

function book(): Gradebook {
  const cell = (score: number | null, late = false) => ({
    submissionId: `s-${score}`,
    submissions: 1,
    score,
    maxScore: 10,
    late,
    daysLate: late ? 1 : 0,
    overridden: false,
    state: "graded" as const,
    submittedAt: "2026-11-20T10:00:00.000Z",
  });
  return {
    course: { id: "c", name: "C" },
    assignments: [
      { id: A1, title: "One", dueAt: "2026-11-20T00:00:00.000Z", maxScore: 10 },
      { id: A2, title: "Two", dueAt: "2026-11-21T00:00:00.000Z", maxScore: 10 },
    ],
    students: [
      { userId: "u1", username: "carol", cells: { [A1]: cell(5), [A2]: cell(9, true) }, total: 14 },
      { userId: "u2", username: "Alice", cells: { [A1]: cell(10), [A2]: null }, total: 10 },
      { userId: "u3", username: "bob", cells: { [A1]: null, [A2]: cell(3) }, total: 3 },
    ],
  };
}

describe("gradebook view", () => {
  const names = (g: Gradebook) => g.students.map((s) => s.username);

  it("sorts by name (case-insensitive) by default, by total or by an assignment's score (missing last either way)", () => {
    expect(names(viewGradebook(book(), {}))).toEqual(["Alice", "bob", "carol"]);
    expect(names(viewGradebook(book(), { sort: "total" }))).toEqual(["carol", "Alice", "bob"]);
    expect(names(viewGradebook(book(), { sort: "total", dir: "asc" }))).toEqual(["bob", "Alice", "carol"]);
    expect(names(viewGradebook(book(), { sort: A1 }))).toEqual(["Alice", "carol", "bob"]);
    expect(names(viewGradebook(book(), { sort: A1, dir: "asc" }))).toEqual(["carol", "Alice", "bob"]);
  });

  it("filters by name, by assignment (its column and total only), missing and late", () => {
    expect(names(viewGradebook(book(), { q: "AR" }))).toEqual(["carol"]);
    const one = viewGradebook(book(), { assignment: A2 });
    expect(one.assignments.map((a) => a.id)).toEqual([A2]);
    expect(one.students.find((s) => s.username === "carol")).toMatchObject({ total: 9, cells: { [A2]: { score: 9 } } });
    expect(Object.keys(one.students[0]!.cells)).toEqual([A2]);
    expect(names(viewGradebook(book(), { only: "missing" }))).toEqual(["Alice", "bob"]);
    expect(names(viewGradebook(book(), { only: "missing", assignment: A1 }))).toEqual(["bob"]);
    expect(names(viewGradebook(book(), { only: "late" }))).toEqual(["carol"]);
  });
});

describe("gradebook CSV", () => {
  it("is RFC 4180: header, one CRLF row per student, quoted fields with doubled quotes, empty for missing", () => {
    const g = book();
    g.assignments[0]!.title = 'Loops, "part" 1';
    expect(gradebookCsv(g)).toBe('Student,"Loops, ""part"" 1",Two,Total\r\n' + "carol,5,9,14\r\n" + "Alice,10,,10\r\n" + "bob,,3,3\r\n");
  });

  it("neutralizes cells a spreadsheet would run as a formula (OWASP): = + - @ tab CR get a leading quote", () => {
    for (const bad of ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]) {
      const out = textField(bad);
      expect(out.startsWith(`"'`)).toBe(true);
      expect(out).toBe(`"'${bad.replaceAll('"', '""')}"`);
    }
    expect(textField("alice")).toBe("alice");
    expect(textField("a-b")).toBe("a-b");
    const g = book();
    g.students[0]!.username = "=cmd|' /C calc'!A0";
    expect(gradebookCsv(g).split("\r\n")[1]).toBe(`"'=cmd|' /C calc'!A0",5,9,14`);
  });

  it("names the download after the course, ASCII only", () => {
    expect(gradebookFileName('Intro to C: "Fall" ü 2026', new Date("2026-11-27T12:00:00Z"))).toBe("gradebook-intro-to-c-fall-u-2026-2026-11-27.csv");
    expect(gradebookFileName("???", new Date("2026-11-27T12:00:00Z"))).toBe("gradebook-course-2026-11-27.csv");
  });
});

describe("re-grade preview diff", () => {
  const r = (position: number, verdict: string, points: number, testId: string | null = `t${position}`) => ({
    position,
    testId,
    name: `test ${position}`,
    verdict,
    points,
  });

  it("lists the tests whose verdict or points changed, and added or removed tests", () => {
    const before = [r(0, "passed", 2), r(1, "wrong_answer", 0), r(2, "passed", 1)];
    const after = [r(0, "passed", 2), r(1, "passed", 3), r(3, "time_limit", 0)];
    expect(testChanges(before, after)).toEqual([
      { name: "test 1", oldVerdict: "wrong_answer", newVerdict: "passed", oldPoints: 0, newPoints: 3 },
      { name: "test 3", oldVerdict: null, newVerdict: "time_limit", oldPoints: null, newPoints: 0 },
      { name: "test 2", oldVerdict: "passed", newVerdict: null, oldPoints: 1, newPoints: null },
    ]);
  });

  it("matches a test whose id changed (the tests were saved again) by its place and name", () => {
    // Saving the tests gives every test a new id; only test 1's verdict really changed.
    const before = [r(0, "passed", 2, "old0"), r(1, "wrong_answer", 0, "old1"), r(2, "passed", 1, "old2")];
    const after = [r(0, "passed", 2, "new0"), r(1, "passed", 3, "new1"), { ...r(2, "passed", 1, "new2"), name: "renamed" }];
    expect(testChanges(before, after)).toEqual([
      { name: "test 1", oldVerdict: "wrong_answer", newVerdict: "passed", oldPoints: 0, newPoints: 3 },
      { name: "renamed", oldVerdict: null, newVerdict: "passed", oldPoints: null, newPoints: 1 },
      { name: "test 2", oldVerdict: "passed", newVerdict: null, oldPoints: 1, newPoints: null },
    ]);
    // A known id still wins over the place: a test moved from 1 to 0 is compared with itself.
    expect(
      testChanges(
        [r(0, "passed", 1, "a"), r(1, "wrong_answer", 0, "b")],
        [
          { ...r(0, "wrong_answer", 0, "b"), name: "test 0" },
          { ...r(1, "passed", 1, "a"), name: "test 1" },
        ],
      ),
    ).toEqual([]);
  });

  it("gives old and new final scores (penalty applied); a failed re-grade keeps the old score and is no change", () => {
    const sub = { id: "s", userId: "u", username: "amy", number: 1, daysLate: 1, overrideScore: null };
    const done = new Date();
    const current = { score: 4, maxScore: 10, finishedAt: done, results: [r(0, "wrong_answer", 0)] };
    const regrade = { score: 10, maxScore: 10, finishedAt: done, results: [r(0, "passed", 6)] };
    expect(submissionChange(sub, 50, current, regrade)).toMatchObject({ oldScore: 2, newScore: 5, oldGraded: 4, newGraded: 10, changed: true, failed: false });
    const failed = submissionChange(sub, 50, current, { ...regrade, score: null, finishedAt: null, results: [] });
    expect(failed).toMatchObject({ oldScore: 2, newScore: 2, changed: false, failed: true, tests: [] });
    const overridden = submissionChange({ ...sub, overrideScore: 7 }, 50, current, regrade);
    expect(overridden).toMatchObject({ oldScore: 7, newScore: 7, overridden: true, changed: true });
  });
});

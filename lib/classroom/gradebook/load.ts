import type { Database } from "../../db/client";
import { cellOf, type GradebookCell, type LatestSubmission } from "./cells";
import { rowTotal, type Gradebook } from "./model";

/**
 * The gradebook of a course in four queries whatever its size (a course of
 * 300 students x 20 assignments is not 6000 queries): the students, the
 * assignments, their tests' points, and each student's LATEST submission per
 * assignment with its count and current grading (one DISTINCT ON query).
 */
export async function loadGradebook(db: Database, course: { id: string; name: string }): Promise<Gradebook> {
  const [members, assignments, latest] = await Promise.all([
    db.courseMember.findMany({ where: { courseId: course.id, role: "student" }, select: { userId: true, user: { select: { username: true } } } }),
    db.assignment.findMany({
      where: { courseId: course.id },
      orderBy: [{ dueAt: "asc" }, { createdAt: "asc" }],
      select: { id: true, title: true, dueAt: true, latePenaltyPerDay: true },
    }),
    latestSubmissions(db, course.id),
  ]);
  const points = await db.assignmentTest.groupBy({
    by: ["assignmentId"],
    where: { assignmentId: { in: assignments.map((a) => a.id) } },
    _sum: { points: true },
  });
  const maxOf = new Map(points.map((p) => [p.assignmentId, p._sum.points ?? 0]));
  const columns = assignments.map((a) => ({ id: a.id, title: a.title, dueAt: a.dueAt.toISOString(), maxScore: maxOf.get(a.id) ?? 0 }));
  const byAssignment = new Map(assignments.map((a) => [a.id, { latePenaltyPerDay: a.latePenaltyPerDay, maxScore: maxOf.get(a.id) ?? 0 }]));

  const cells = new Map<string, Record<string, GradebookCell | null>>();
  for (const m of members) cells.set(m.userId, Object.fromEntries(columns.map((c) => [c.id, null])));
  for (const s of latest) {
    const row = cells.get(s.userId);
    const assignment = byAssignment.get(s.assignmentId);
    // Submissions of people no longer students of the course are not in the gradebook.
    if (row && assignment) row[s.assignmentId] = cellOf(s, assignment);
  }
  return {
    course: { id: course.id, name: course.name },
    assignments: columns,
    students: members.map((m) => {
      const row = cells.get(m.userId) ?? {};
      return { userId: m.userId, username: m.user.username, cells: row, total: rowTotal(row, columns) };
    }),
  };
}

/** Each (assignment, student)'s latest submission of the course, with how many they made and the state of its grading. */
function latestSubmissions(db: Database, courseId: string): Promise<LatestSubmission[]> {
  // The window count is taken before DISTINCT ON keeps the highest number of each pair.
  return db.$queryRaw<LatestSubmission[]>`
    SELECT DISTINCT ON (s."assignmentId", s."userId")
      s."assignmentId"::text AS "assignmentId", s."userId"::text AS "userId", s.id::text AS "submissionId",
      s.number, (count(*) OVER (PARTITION BY s."assignmentId", s."userId"))::int AS "count",
      s."createdAt" AS "submittedAt", s."daysLate", s."overrideScore", s."gradingId"::text AS "gradingId",
      g.score AS "gradedScore", g."maxScore" AS "gradedMaxScore", g."finishedAt" AS "gradingFinishedAt",
      e.status::text AS "executionStatus"
    FROM "Submission" s
    JOIN "Assignment" a ON a.id = s."assignmentId"
    LEFT JOIN "Grading" g ON g.id = s."gradingId"
    LEFT JOIN "Execution" e ON e.id = g."executionId"
    WHERE a."courseId" = ${courseId}::uuid
    ORDER BY s."assignmentId", s."userId", s.number DESC`;
}

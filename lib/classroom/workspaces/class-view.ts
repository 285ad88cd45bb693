import type { Database } from "../../db/client";
import type { Verdict } from "../../db/generated/enums";

/**
 * The live view of a class working on one assignment, for its teachers and
 * TAs: every student of the course, their room (one click into it), whether
 * they asked for help and since when, and which of the tests they can see
 * (the ones "Test" runs) they pass right now, that is in their latest
 * finished grading of kind test or submission. Re-grades are not "right
 * now": they grade an old submission.
 */
export interface ClassTest {
  id: string;
  name: string;
  position: number;
  points: number;
}

export interface ClassStudent {
  userId: string;
  username: string;
  roomId: string | null;
  /** When their workspace's files were last stored (edits are stored every few seconds). */
  lastActivityAt: Date | null;
  help: { requestedAt: Date; message: string | null } | null;
  /** Their latest finished grading (test or submission), or null when none. */
  grading: { id: string; kind: "test" | "submission"; finishedAt: Date; compileError: boolean } | null;
  /** testId -> verdict in that grading (absent: that grading did not run the test). */
  verdicts: Record<string, Verdict>;
  passed: number;
}

export interface ClassView {
  tests: ClassTest[];
  students: ClassStudent[];
  /** The test that fails for the most students (among those whose latest grading ran it); null when none fails. */
  mostFailed: { testId: string; name: string; failing: number; graded: number } | null;
  /** Open help requests, oldest first: the queue. */
  helpQueue: Array<{ userId: string; username: string; roomId: string; requestedAt: Date; message: string | null }>;
}

/** The tests a student's "Test" runs: visible ones, and after_due ones once the due date passed (the shared rule). */
export function visibleNow(visibility: "visible" | "hidden" | "after_due", dueAt: Date, now: Date): boolean {
  return visibility === "visible" || (visibility === "after_due" && dueAt <= now);
}

export async function classView(db: Database, assignment: { id: string; courseId: string; dueAt: Date }, now = new Date()): Promise<ClassView> {
  const [allTests, members, workspaces, gradings] = await Promise.all([
    db.assignmentTest.findMany({ where: { assignmentId: assignment.id }, orderBy: { position: "asc" } }),
    db.courseMember.findMany({
      where: { courseId: assignment.courseId, role: "student" },
      select: { userId: true, user: { select: { username: true } } },
    }),
    db.assignmentWorkspace.findMany({
      where: { assignmentId: assignment.id },
      select: { userId: true, roomId: true, helpRequestedAt: true, helpMessage: true, room: { select: { document: { select: { updatedAt: true } } } } },
    }),
    latestGradings(db, assignment.id),
  ]);
  const tests = allTests
    .filter((t) => visibleNow(t.visibility, assignment.dueAt, now))
    .map((t) => ({ id: t.id, name: t.name, position: t.position, points: t.points }));
  const byRoom = new Map(workspaces.map((w) => [w.userId, w]));
  const byGrading = new Map(gradings.map((g) => [g.userId, g]));

  const students: ClassStudent[] = members
    .map((m) => {
      const workspace = byRoom.get(m.userId);
      const grading = byGrading.get(m.userId);
      const verdicts = grading ? verdictsFor(tests, grading.results) : {};
      return {
        userId: m.userId,
        username: m.user.username,
        roomId: workspace?.roomId ?? null,
        lastActivityAt: workspace?.room.document?.updatedAt ?? null,
        help: workspace?.helpRequestedAt ? { requestedAt: workspace.helpRequestedAt, message: workspace.helpMessage } : null,
        grading:
          grading?.finishedAt && grading.kind !== "regrade"
            ? { id: grading.id, kind: grading.kind, finishedAt: grading.finishedAt, compileError: grading.compileError }
            : null,
        verdicts,
        passed: Object.values(verdicts).filter((v) => v === "passed").length,
      };
    })
    .sort((a, b) => a.username.localeCompare(b.username));

  const helpQueue = students
    .flatMap((s) => (s.help && s.roomId ? [{ userId: s.userId, username: s.username, roomId: s.roomId, ...s.help }] : []))
    .sort((a, b) => a.requestedAt.getTime() - b.requestedAt.getTime());
  return { tests, students, mostFailed: mostFailed(tests, students), helpQueue };
}

/**
 * Each student's latest finished grading of kind test or submission, with its
 * results. DISTINCT ON in SQL picks one row per student (Prisma's `distinct`
 * would read every grading of the assignment first: students run Test often).
 */
async function latestGradings(db: Database, assignmentId: string) {
  const latest = await db.$queryRaw<Array<{ id: string }>>`
    SELECT DISTINCT ON ("userId") id FROM "Grading"
    WHERE "assignmentId" = ${assignmentId}::uuid AND kind IN ('test', 'submission') AND "finishedAt" IS NOT NULL
    ORDER BY "userId", "finishedAt" DESC, "createdAt" DESC`;
  if (latest.length === 0) return [];
  return db.grading.findMany({
    where: { id: { in: latest.map((g) => g.id) } },
    select: { id: true, userId: true, kind: true, finishedAt: true, compileError: true, results: { select: { testId: true, name: true, verdict: true } } },
  });
}

/**
 * A grading's verdict per current test. Results name the test they ran
 * (testId); a result whose test was since deleted and re-made matches by
 * name instead, so a fixed test keeps its column.
 */
function verdictsFor(tests: ClassTest[], results: Array<{ testId: string | null; name: string; verdict: Verdict }>): Record<string, Verdict> {
  const byId = new Map(results.flatMap((r) => (r.testId ? [[r.testId, r.verdict] as const] : [])));
  const byName = new Map(results.map((r) => [r.name, r.verdict]));
  const verdicts: Record<string, Verdict> = {};
  for (const t of tests) {
    const verdict = byId.get(t.id) ?? byName.get(t.name);
    if (verdict) verdicts[t.id] = verdict;
  }
  return verdicts;
}

function mostFailed(tests: ClassTest[], students: ClassStudent[]): ClassView["mostFailed"] {
  let worst: ClassView["mostFailed"] = null;
  for (const t of tests) {
    const ran = students.map((s) => s.verdicts[t.id]).filter((v) => v !== undefined);
    const failing = ran.filter((v) => v !== "passed").length;
    // Ties go to the earlier test (the order students work in).
    if (failing > 0 && (!worst || failing > worst.failing)) worst = { testId: t.id, name: t.name, failing, graded: ran.length };
  }
  return worst;
}

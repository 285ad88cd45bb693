import { usernameKey } from "../../accounts/credentials";
import type { Database } from "../../db/client";
import { ApiError } from "../../http/errors";
import { isUuid } from "../../http/ids";
import { type CourseRole, isStaff } from "../roles";
import { COURSE_LIMITS } from "./limits";
import { lockCourse, type Tx } from "./locks";
import type { RosterProblem, RosterRow } from "./roster-csv";

/**
 * A course's people. Rules kept here, under the course's lock:
 *  - a course always keeps a teacher: the last one can be neither demoted nor
 *    removed, and cannot leave (409 last_teacher);
 *  - at most COURSE_LIMITS.membersPerCourse members (409 course_full);
 *  - who sees whom: staff (teachers, TAs) see the whole roster; a student sees
 *    the staff and themselves, never another student.
 */
export interface MemberView {
  userId: string;
  username: string;
  role: CourseRole;
  joinedAt: Date;
}

const ROLE_ORDER: Record<CourseRole, number> = { teacher: 0, ta: 1, student: 2 };

export async function listRoster(db: Database, courseId: string, viewer: { userId: string; role: CourseRole }): Promise<MemberView[]> {
  const where = isStaff(viewer.role) ? { courseId } : { courseId, OR: [{ role: { in: ["teacher", "ta"] as CourseRole[] } }, { userId: viewer.userId }] };
  const rows = await db.courseMember.findMany({ where, include: { user: { select: { username: true } } } });
  return rows.map(viewOf).sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.username.localeCompare(b.username, undefined, { sensitivity: "base" }));
}

const viewOf = (m: { userId: string; role: CourseRole; createdAt: Date; user: { username: string } }): MemberView => ({
  userId: m.userId,
  username: m.user.username,
  role: m.role,
  joinedAt: m.createdAt,
});

export const courseFull = (cap: number) =>
  new ApiError(409, "course_full", `This course has ${cap} members, the most a course may have; remove members who left before adding more.`);

export async function addMember(
  db: Database,
  courseId: string,
  username: string,
  role: CourseRole,
  cap: number = COURSE_LIMITS.membersPerCourse,
): Promise<MemberView> {
  const user = await db.user.findUnique({ where: { usernameKey: usernameKey(username) }, select: { id: true, username: true } });
  if (!user) throw new ApiError(404, "user_not_found", `No user is named "${username}"; check the spelling (they must have signed up).`);
  return db.$transaction(async (tx) => {
    await lockCourse(tx, courseId);
    const existing = await tx.courseMember.findUnique({ where: { courseId_userId: { courseId, userId: user.id } } });
    if (existing) {
      throw new ApiError(409, "course_already_member", `${user.username} is already in this course as ${existing.role}; change their role instead.`);
    }
    if ((await tx.courseMember.count({ where: { courseId } })) >= cap) throw courseFull(cap);
    const member = await tx.courseMember.create({ data: { courseId, userId: user.id, role } });
    return viewOf({ ...member, user });
  });
}

const notMember = (userId: string) => new ApiError(404, "course_member_not_found", `User ${userId} is not a member of this course.`);

async function memberUnderLock(tx: Tx, courseId: string, userId: string) {
  if (!isUuid(userId)) throw notMember(userId);
  await lockCourse(tx, courseId);
  const member = await tx.courseMember.findUnique({ where: { courseId_userId: { courseId, userId } }, include: { user: { select: { username: true } } } });
  if (!member) throw notMember(userId);
  return member;
}

/** 409 last_teacher when `member` is the course's only teacher (about to stop being one). */
async function keepATeacher(tx: Tx, courseId: string, member: { role: CourseRole; user: { username: string } }, what: string): Promise<void> {
  if (member.role !== "teacher") return;
  const teachers = await tx.courseMember.count({ where: { courseId, role: "teacher" } });
  if (teachers <= 1) {
    throw new ApiError(
      409,
      "last_teacher",
      `${member.user.username} is this course's only teacher and cannot ${what}; make someone else a teacher first (or delete the course).`,
    );
  }
}

/** The member with their new role, and the role they had (sockets-wise, what changed). */
export async function changeMemberRole(
  db: Database,
  courseId: string,
  userId: string,
  role: CourseRole,
): Promise<{ member: MemberView; previousRole: CourseRole }> {
  return db.$transaction(async (tx) => {
    const member = await memberUnderLock(tx, courseId, userId);
    if (role !== "teacher") await keepATeacher(tx, courseId, member, `become ${role === "ta" ? "a TA" : "a student"}`);
    const updated = await tx.courseMember.update({ where: { courseId_userId: { courseId, userId } }, data: { role } });
    return { member: viewOf({ ...updated, user: member.user }), previousRole: member.role };
  });
}

/** Removes a member (a teacher removing someone, or someone leaving: `leaving` only changes the wording); the role they had. */
export async function removeMember(db: Database, courseId: string, userId: string, leaving = false): Promise<CourseRole> {
  return db.$transaction(async (tx) => {
    const member = await memberUnderLock(tx, courseId, userId);
    await keepATeacher(tx, courseId, member, leaving ? "leave" : "be removed");
    await tx.courseMember.delete({ where: { courseId_userId: { courseId, userId } } });
    return member.role;
  });
}

export type ImportResult = { ok: true; added: MemberView[]; unchanged: MemberView[] } | { ok: false; problems: RosterProblem[] };

/**
 * Adds a parsed roster (roster-csv.ts) all at once or not at all: every
 * username must belong to an account, and the course must have room for all
 * newcomers. People already in the course keep the role they have (a re-upload
 * of the same file changes nothing); they are listed as unchanged.
 */
export async function importRoster(db: Database, courseId: string, rows: RosterRow[], cap: number = COURSE_LIMITS.membersPerCourse): Promise<ImportResult> {
  const users = await db.user.findMany({
    where: { usernameKey: { in: rows.map((r) => usernameKey(r.username)) } },
    select: { id: true, username: true, usernameKey: true },
  });
  const byKey = new Map(users.map((u) => [u.usernameKey, u]));
  const problems: RosterProblem[] = rows
    .filter((r) => !byKey.has(usernameKey(r.username)))
    .map((r) => ({ line: r.line, problem: `no user is named "${r.username}" (they must sign up first).` }));
  if (problems.length > 0) return { ok: false, problems };

  return db.$transaction(async (tx) => {
    await lockCourse(tx, courseId);
    const present = await tx.courseMember.findMany({
      where: { courseId, userId: { in: users.map((u) => u.id) } },
      include: { user: { select: { username: true } } },
    });
    const presentIds = new Set(present.map((m) => m.userId));
    const newcomers = rows.map((r) => ({ row: r, user: byKey.get(usernameKey(r.username))! })).filter((n) => !presentIds.has(n.user.id));
    const count = await tx.courseMember.count({ where: { courseId } });
    if (count + newcomers.length > cap) {
      return {
        ok: false as const,
        problems: [{ line: null, problem: `The course has ${count} members and the file adds ${newcomers.length}; a course holds at most ${cap}.` }],
      };
    }
    await tx.courseMember.createMany({ data: newcomers.map((n) => ({ courseId, userId: n.user.id, role: n.row.role })) });
    const now = new Date();
    return {
      ok: true as const,
      added: newcomers.map((n) => ({ userId: n.user.id, username: n.user.username, role: n.row.role, joinedAt: now })),
      unchanged: present.map(viewOf),
    };
  });
}

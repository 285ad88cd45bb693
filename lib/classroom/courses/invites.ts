import type { Database } from "../../db/client";
import { ApiError } from "../../http/errors";
import { isUuid } from "../../http/ids";
import type { CourseRole } from "../roles";
import { isWellFormedCode, newInviteCode } from "./codes";
import { COURSE_LIMITS } from "./limits";
import { lockCourse } from "./locks";
import { courseFull } from "./roster";

/**
 * Invite codes: a teacher makes one (optionally expiring), shows it or its
 * link (/courses/join/<code>) to the class, and whoever signs in and enters
 * it becomes a student. Unlike a room's share link the code itself is stored:
 * teachers see it on the course page for as long as it works (it is meant to
 * be read out, not kept secret from the class). Revoked codes stay in the
 * table so a late joiner is told "revoked" rather than "unknown".
 */
export interface InviteView {
  id: string;
  code: string;
  createdAt: Date;
  expiresAt: Date | null;
}

const DAY_MS = 24 * 3600 * 1000;
const view = (i: InviteView): InviteView => ({ id: i.id, code: i.code, createdAt: i.createdAt, expiresAt: i.expiresAt });
const stillWorks = (now: Date) => ({ revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] });

export async function createInvite(
  db: Database,
  courseId: string,
  createdById: string,
  expiresInDays: number | undefined,
  cap: number = COURSE_LIMITS.activeInvitesPerCourse,
): Promise<InviteView> {
  const expiresAt = expiresInDays === undefined ? null : new Date(Date.now() + expiresInDays * DAY_MS);
  return db.$transaction(async (tx) => {
    await lockCourse(tx, courseId);
    const active = await tx.courseInvite.count({ where: { courseId, ...stillWorks(new Date()) } });
    if (active >= cap) {
      throw new ApiError(
        409,
        "too_many_course_invites",
        `This course has ${active} invite codes that still work, the most allowed; revoke one you no longer need, then make a new one.`,
      );
    }
    // 31^10 codes: a clash is all but impossible, and the unique index would refuse it; a new draw is cheaper than a retry loop.
    let code = newInviteCode();
    while (await tx.courseInvite.findUnique({ where: { code }, select: { id: true } })) code = newInviteCode();
    return view(await tx.courseInvite.create({ data: { courseId, code, createdById, expiresAt } }));
  });
}

/** The codes that still work, newest first. */
export async function listInvites(db: Database, courseId: string): Promise<InviteView[]> {
  const invites = await db.courseInvite.findMany({ where: { courseId, ...stillWorks(new Date()) }, orderBy: { createdAt: "desc" } });
  return invites.map(view);
}

export async function revokeInvite(db: Database, courseId: string, inviteId: string): Promise<void> {
  const revoked = isUuid(inviteId)
    ? await db.courseInvite.updateMany({ where: { id: inviteId, courseId, ...stillWorks(new Date()) }, data: { revokedAt: new Date() } })
    : { count: 0 };
  if (revoked.count === 0) throw new ApiError(404, "course_invite_not_found", `This course has no working invite code with id ${inviteId}.`);
}

export interface JoinResult {
  courseId: string;
  /** The caller's role now: student when they joined, whatever it was when they were a member already. */
  role: CourseRole;
  joined: boolean;
}

/**
 * Makes the caller a student of the code's course. Someone already in the
 * course keeps their role (a teacher opening the class's link stays a
 * teacher) and nothing changes. Unknown, revoked and expired codes are 404
 * course_code_invalid, each with its own message.
 */
export async function joinWithCode(db: Database, code: string, userId: string, cap: number = COURSE_LIMITS.membersPerCourse): Promise<JoinResult> {
  const invite = isWellFormedCode(code) ? await db.courseInvite.findUnique({ where: { code } }) : null;
  if (!invite)
    throw new ApiError(404, "course_code_invalid", `No course has the invite code ${code}; check it letter by letter, or ask your teacher for the link.`);
  if (invite.revokedAt) throw new ApiError(404, "course_code_invalid", `The invite code ${code} was revoked; ask your teacher for a new one.`);
  if (invite.expiresAt && invite.expiresAt <= new Date()) {
    throw new ApiError(404, "course_code_invalid", `The invite code ${code} expired on ${invite.expiresAt.toISOString()}; ask your teacher for a new one.`);
  }
  const courseId = invite.courseId;
  return db.$transaction(async (tx) => {
    await lockCourse(tx, courseId);
    const existing = await tx.courseMember.findUnique({ where: { courseId_userId: { courseId, userId } } });
    if (existing) return { courseId, role: existing.role, joined: false };
    if ((await tx.courseMember.count({ where: { courseId } })) >= cap) throw courseFull(cap);
    await tx.courseMember.create({ data: { courseId, userId, role: "student" } });
    return { courseId, role: "student" as const, joined: true };
  });
}

/**
 * What one account or one course may hold, so nobody grows the database or
 * another person's page without bound. Fixed numbers (no settings): they are
 * far above what a real class needs and only stop runaway scripts.
 */
export const COURSE_LIMITS = {
  /** Courses an account may be a teacher of (checked when it creates one; 409 too_many_courses). */
  coursesTaughtPerAccount: 50,
  /** Members of one course, every role together (409 course_full). */
  membersPerCourse: 1000,
  /** Invite codes of one course that still work (409 too_many_course_invites). */
  activeInvitesPerCourse: 20,
  /** A roster CSV: at most this many rows and bytes (the whole upload is refused past either). */
  csvRows: 1000,
  csvBytes: 256 * 1024,
  /** Failed attempts at joining with a code, per account and per client address, in `joinWindowSeconds`. */
  joinFailuresPerAccount: 10,
  joinFailuresPerAddress: 30,
  joinWindowSeconds: 15 * 60,
} as const;

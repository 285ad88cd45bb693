import { z } from "zod";
import { USERNAME_PATTERN } from "../../accounts/credentials";
import { displayTextProblem } from "../../http/text";
import { COURSE_ROLES } from "../roles";
import { COURSE_LIMITS } from "./limits";
import { CODE_LENGTH, normalizeCode } from "./codes";

/** The bodies of the course routes (app/api/v1/courses/**), checked at the edge. */

const courseName = z
  .string({ error: "name is required (a string)" })
  .trim()
  .min(1, "name must not be empty")
  .max(120, "name must be at most 120 characters")
  .superRefine((n, ctx) => {
    const problem = displayTextProblem(n);
    if (problem) ctx.addIssue({ code: "custom", message: `name ${problem}` });
  });

export const courseRoleSchema = z.enum(COURSE_ROLES, { error: 'role must be "teacher", "ta" or "student"' });

export const createCourseSchema = z.object({ name: courseName }).strict();
export const renameCourseSchema = z.object({ name: courseName }).strict();

export const addMemberSchema = z
  .object({
    username: z
      .string({ error: "username is required" })
      .trim()
      .regex(USERNAME_PATTERN, "username must be someone's username: 3-32 letters, digits, '-' or '_'"),
    role: courseRoleSchema.default("student"),
  })
  .strict();

export const changeMemberRoleSchema = z.object({ role: courseRoleSchema }).strict();

export const createInviteSchema = z
  .object({
    // Unset: the code works until it is revoked.
    expiresInDays: z
      .number({ error: "expiresInDays must be a number of days" })
      .int("expiresInDays must be a whole number of days")
      .min(1, "expiresInDays must be at least 1 day")
      .max(365, "expiresInDays must be at most 365 days")
      .optional(),
  })
  .strict();

export const joinCourseSchema = z
  .object({
    code: z
      .string({ error: "code is required (the course's invite code)" })
      .max(64, "code is too long; an invite code has 10 characters")
      .transform(normalizeCode)
      .refine((c) => c.length === CODE_LENGTH, `code must have ${CODE_LENGTH} letters and digits (spaces and dashes are ignored)`),
  })
  .strict();

/** JSON form of a roster upload (the other is the CSV itself as text/csv). */
export const importRosterSchema = z
  .object({
    csv: z
      .string({ error: "csv is required (the roster as CSV text)" })
      .max(COURSE_LIMITS.csvBytes, `csv must be at most ${COURSE_LIMITS.csvBytes / 1024} KiB; split the roster into smaller uploads`),
  })
  .strict();

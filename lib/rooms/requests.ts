import { z } from "zod";
import { USERNAME_PATTERN } from "../accounts/credentials";
import { MAX_ARGS, MAX_STDIN_BYTES } from "../executions/request";
import { displayTextProblem } from "../http/text";
import { GRANTABLE_ROLES } from "./roles";
import { RUN_CONFIG_LIMITS } from "./run-config";

/** What room, member and share-link requests may hold (their bodies: readJson's default size; a run's: room for its stdin). */
export const MAX_RUN_BODY_BYTES = 3 * MAX_STDIN_BYTES;

const roomName = z
  .string({ error: "name is required (a string)" })
  .trim()
  .min(1, "name must not be empty")
  .max(80, "name must be at most 80 characters")
  .superRefine((n, ctx) => {
    const problem = displayTextProblem(n);
    if (problem) ctx.addIssue({ code: "custom", message: `name ${problem}` });
  });

const grantable = z.enum(GRANTABLE_ROLES, { error: 'role must be "viewer" or "editor"' });

export const createRoomSchema = z
  .object({ name: roomName, language: z.string({ error: "language is required (see GET /api/v1/runtimes)" }).min(1, "language is required") })
  .strict();

export const renameRoomSchema = z.object({ name: roomName }).strict();

export const inviteSchema = z
  .object({
    username: z
      .string({ error: "username is required" })
      .trim()
      .regex(USERNAME_PATTERN, "username must be someone's username: 3-32 letters, digits, '-' or '_'"),
    role: grantable,
  })
  .strict();

/** GET /api/v1/rooms?limit=&cursor=: a page of the room list. */
export const ROOM_PAGE_DEFAULT = 50;
export const ROOM_PAGE_MAX = 100;
export const roomPageSchema = z.object({
  limit: z.coerce
    .number({ error: `limit must be a number from 1 to ${ROOM_PAGE_MAX}` })
    .int(`limit must be a whole number from 1 to ${ROOM_PAGE_MAX}`)
    .min(1, `limit must be from 1 to ${ROOM_PAGE_MAX}`)
    .max(ROOM_PAGE_MAX, `limit must be from 1 to ${ROOM_PAGE_MAX}`)
    .default(ROOM_PAGE_DEFAULT),
  cursor: z.string().max(200, "cursor is too long; pass nextCursor from the previous page").optional(),
});

export const changeRoleSchema = z.object({ role: grantable }).strict();

export const createShareLinkSchema = z
  .object({
    role: grantable,
    // Unset: SAM_SHARE_LINK_DAYS.
    expiresInDays: z
      .number({ error: "expiresInDays must be a number of days" })
      .int("expiresInDays must be a whole number of days")
      .min(1, "expiresInDays must be at least 1 day")
      .max(365, "expiresInDays must be at most 365 days")
      .optional(),
  })
  .strict();

export const joinSchema = z
  .object({ token: z.string({ error: "token is required (the part of the link after #)" }).min(1, "token is required").max(200, "token is too long") })
  .strict();

/**
 * POST /api/v1/rooms/:id/runs: the run configuration to run (lib/rooms/run-config.ts). The page sends the
 * room's shared configuration, or "Run this file"'s one-off; every field may be left out (the defaults).
 */
export const roomRunSchema = z
  .object({
    entry: z
      .string({ error: "entry must be a string: the path of one of the room's files" })
      .min(1, "entry must not be empty; leave it out to start from the language's entry file")
      .max(4096, "entry must be at most 4096 characters: the path of one of the room's files")
      .optional(),
    language: z
      .string({ error: "language must be a string (see GET /api/v1/runtimes)" })
      .min(1, "language must not be empty; leave it out to use the room's language")
      .max(RUN_CONFIG_LIMITS.languageLength, `language must be at most ${RUN_CONFIG_LIMITS.languageLength} characters (see GET /api/v1/runtimes)`)
      .optional(),
    stdin: z.string({ error: "stdin must be a string" }).optional(),
    args: z
      .array(z.string({ error: "args must be strings" }).max(4096, "each arg must be at most 4096 characters"))
      .max(MAX_ARGS, `at most ${MAX_ARGS} args`)
      .optional(),
  })
  .strict();

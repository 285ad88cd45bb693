import { z } from "zod";
import { displayTextProblem } from "../http/text";

/** The rules for usernames and passwords, shared by the API, the sign-up page and tests. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_-]{3,32}$/;
export const PASSWORD_MIN = 10;
// argon2 hashes whatever it is given; a cap keeps one request from burning a core.
export const PASSWORD_MAX = 1024;

export const usernameSchema = z
  .string({ error: "username is required and must be a string" })
  .regex(USERNAME_PATTERN, "username must be 3-32 characters of letters, digits, '-' or '_'");

export const passwordSchema = z
  .string({ error: "password is required and must be a string" })
  .min(PASSWORD_MIN, `password must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `password must be at most ${PASSWORD_MAX} characters`);

export const credentialsSchema = z.object({ username: usernameSchema, password: passwordSchema }).strict();

// Sign-in only checks shapes loosely: a malformed name simply does not match anyone. Text that no
// name can hold (NUL, which PostgreSQL refuses; lone surrogates; controls) is refused before any lookup.
export const loginSchema = z
  .object({
    username: z
      .string({ error: "username is required and must be a string" })
      .min(1, "username is required")
      .max(64, "username is too long")
      .superRefine((name, ctx) => {
        const problem = displayTextProblem(name);
        if (problem) ctx.addIssue({ code: "custom", message: `username ${problem}` });
      }),
    password: z.string({ error: "password is required and must be a string" }).min(1, "password is required").max(PASSWORD_MAX, "password is too long"),
  })
  .strict();

/** An invite token (the part of an invite link after `#invite=`), needed when registration is by invite. */
export const inviteTokenSchema = z.string({ error: "invite must be a string" }).trim().min(1, "invite must not be empty").max(200, "invite is too long");

export const registerSchema = credentialsSchema.extend({ invite: inviteTokenSchema.optional() }).strict();

/** Days an API token or share link may last, when a request asks for its own lifetime. */
export const lifetimeDaysSchema = (what: string) =>
  z
    .number({ error: `${what} must be a number of days` })
    .int(`${what} must be a whole number of days`)
    .min(1, `${what} must be at least 1 day`)
    .max(365, `${what} must be at most 365 days`);

// POST /api/v1/auth/login may ask for a token that lasts less than the configured default.
export const apiLoginSchema = loginSchema.extend({ expiresInDays: lifetimeDaysSchema("expiresInDays").optional() }).strict();

export type Credentials = z.infer<typeof credentialsSchema>;

export function usernameKey(username: string): string {
  return username.toLowerCase();
}

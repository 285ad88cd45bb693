import { z } from "zod";

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

// Sign-in only checks shapes loosely: a malformed name simply does not match anyone.
export const loginSchema = z
  .object({
    username: z.string({ error: "username is required and must be a string" }).min(1, "username is required").max(64, "username is too long"),
    password: z.string({ error: "password is required and must be a string" }).min(1, "password is required").max(PASSWORD_MAX, "password is too long"),
  })
  .strict();

export type Credentials = z.infer<typeof credentialsSchema>;

export function usernameKey(username: string): string {
  return username.toLowerCase();
}

import type { Database } from "../db/client";
import { ApiError } from "../http/errors";
import { usernameKey } from "./credentials";
import type { PasswordHasher } from "./password-hasher";

export interface PublicUser {
  id: string;
  username: string;
}

/** Prisma's client, or one of its transactions: users can be made inside either. */
type Writer = Pick<Database, "user">;

export function publicUser(user: { id: string; username: string }): PublicUser {
  return { id: user.id, username: user.username };
}

export const usernameTaken = (username: string) => new ApiError(409, "username_taken", `The username "${username}" is taken; choose another.`);

/** Stores a new account whose password was already hashed (see lib/accounts/registration.ts for the rules around it). */
export async function insertUser(db: Writer, username: string, passwordHash: string): Promise<PublicUser> {
  try {
    const user = await db.user.create({ data: { username, usernameKey: usernameKey(username), passwordHash } });
    return publicUser(user);
  } catch (err) {
    // P2002: unique constraint. Matched by code, not class: Next.js may load the client twice.
    if ((err as { code?: unknown }).code === "P2002") throw usernameTaken(username);
    throw err;
  }
}

export async function usernameExists(db: Database, username: string): Promise<boolean> {
  return (await db.user.count({ where: { usernameKey: usernameKey(username) } })) > 0;
}

/** Returns the user when the password matches; undefined otherwise (unknown name or wrong password alike). */
export async function verifyPassword(
  db: Database,
  passwords: PasswordHasher,
  username: string,
  password: string,
  /** Whose share of the hashing slots this takes (the client's address key). */
  requester?: string,
): Promise<PublicUser | undefined> {
  const user = await db.user.findUnique({ where: { usernameKey: usernameKey(username) } });
  if (!user?.passwordHash) return passwords.verifyNothing(password, requester).then(() => undefined);
  return (await passwords.verify(user.passwordHash, password, requester)) ? publicUser(user) : undefined;
}

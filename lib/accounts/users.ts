import argon2 from "argon2";
import type { Database } from "../db/client";
import { ApiError } from "../http/errors";
import { usernameKey, type Credentials } from "./credentials";

export interface PublicUser {
  id: string;
  username: string;
}

// argon2id with the library's defaults (64 MiB, 3 passes, 4 lanes): OWASP's recommended family.
const HASH_OPTIONS = { type: argon2.argon2id } as const;

// Verifying against this when the user does not exist keeps "no such user" and
// "wrong password" equally slow, so timing does not reveal which names exist.
let dummyHash: Promise<string> | undefined;

export function publicUser(user: { id: string; username: string }): PublicUser {
  return { id: user.id, username: user.username };
}

export async function createUser(db: Database, { username, password }: Credentials): Promise<PublicUser> {
  const passwordHash = await argon2.hash(password, HASH_OPTIONS);
  try {
    const user = await db.user.create({ data: { username, usernameKey: usernameKey(username), passwordHash } });
    return publicUser(user);
  } catch (err) {
    // P2002: unique constraint. Matched by code, not class: Next.js may load the client twice.
    if ((err as { code?: unknown }).code === "P2002") {
      throw new ApiError(409, "username_taken", `The username "${username}" is taken; choose another.`);
    }
    throw err;
  }
}

/** Returns the user when the password matches; undefined otherwise (unknown name or wrong password alike). */
export async function verifyPassword(db: Database, username: string, password: string): Promise<PublicUser | undefined> {
  const user = await db.user.findUnique({ where: { usernameKey: usernameKey(username) } });
  if (!user?.passwordHash) {
    dummyHash ??= argon2.hash("not-a-real-password", HASH_OPTIONS);
    await argon2.verify(await dummyHash, password).catch(() => false);
    return undefined;
  }
  const ok = await argon2.verify(user.passwordHash, password).catch(() => false);
  return ok ? publicUser(user) : undefined;
}

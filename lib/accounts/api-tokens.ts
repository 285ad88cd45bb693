import { createHash, randomBytes } from "node:crypto";
import { sqlPool, type Database } from "../db/client";
import { ApiError } from "../http/errors";
import { publicUser, type PublicUser } from "./users";

/**
 * Personal API tokens: `sam_` + 32 random bytes, each with an expiry
 * (SAM_API_TOKEN_DAYS, or shorter on request). The database keeps only the
 * SHA-256, so a leaked database does not leak usable tokens; lookups by hash
 * need no constant-time compare because the attacker does not control the hash.
 */
const PREFIX = "sam_";
const TOKEN_PATTERN = /^sam_[A-Za-z0-9_-]{43}$/;

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

const DAY_MS = 24 * 3600 * 1000;

/** A new token for `userId` that expires after `days`; the user's expired tokens are cleared on the way. */
export async function issueToken(db: Database, userId: string, days: number): Promise<{ token: string; expiresAt: Date }> {
  const token = PREFIX + randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + days * DAY_MS);
  await db.apiToken.create({ data: { userId, tokenHash: hashToken(token), expiresAt } });
  await db.apiToken.deleteMany({ where: { userId, expiresAt: { lt: new Date() } } });
  return { token, expiresAt };
}

export async function revokeToken(db: Database, token: string): Promise<void> {
  await db.apiToken.deleteMany({ where: { tokenHash: hashToken(token) } });
}

function bearerFrom(request: Request): string | undefined {
  const header = request.headers.get("authorization");
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

const unauthorized = (message: string) => new ApiError(401, "unauthorized", message, { "www-authenticate": 'Bearer realm="sam"' });

export interface Caller {
  user: PublicUser;
  token: string;
}

/**
 * The token and its account in one query, in SQL on Prisma's own pool (every API call makes it: Prisma's
 * include was two queries and more of its own work than theirs; lib/db/client.ts sqlPool).
 */
async function tokenRow(db: Database, tokenHash: string) {
  const { rows } = await sqlPool(db).query(
    `SELECT t."id", t."expiresAt" AT TIME ZONE 'UTC' AS "expiresAt", t."lastUsedAt" AT TIME ZONE 'UTC' AS "lastUsedAt", u."id" AS "userId", u."username"
     FROM "ApiToken" t JOIN "User" u ON u."id" = t."userId" WHERE t."tokenHash" = $1`,
    [tokenHash],
  );
  const row = rows[0] as { id: string; expiresAt: Date; lastUsedAt: Date | null; userId: string; username: string } | undefined;
  return row && { id: row.id, expiresAt: row.expiresAt, lastUsedAt: row.lastUsedAt, user: { id: row.userId, username: row.username } };
}

/** The caller behind `Authorization: Bearer <token>`, or a 401. Every /api/v1 route but register, login and health calls this. */
export async function requireBearer(db: Database, request: Request): Promise<Caller> {
  const token = bearerFrom(request);
  if (!token) throw unauthorized("Send your API token as 'Authorization: Bearer <token>'. Get one from POST /api/v1/auth/login.");
  if (!TOKEN_PATTERN.test(token)) throw unauthorized("The API token is malformed; it should look like sam_ followed by 43 characters.");
  const row = await tokenRow(db, hashToken(token));
  if (!row) throw unauthorized("The API token is unknown or was revoked; sign in again for a new one.");
  if (row.expiresAt.getTime() <= Date.now()) {
    throw new ApiError(
      401,
      "token_expired",
      `The API token expired at ${row.expiresAt.toISOString()}; sign in again (POST /api/v1/auth/login) for a new one.`,
      { "www-authenticate": 'Bearer realm="sam", error="invalid_token", error_description="The token expired"' },
    );
  }
  // Recording use is best effort and at most once a minute per token, to keep reads cheap.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    void db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
  }
  return { user: publicUser(row.user), token };
}

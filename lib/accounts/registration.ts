import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Database } from "../db/client";
import { ApiError } from "../http/errors";
import { addressKey } from "../http/client-ip";
import type { Credentials } from "./credentials";
import { spendInvite, usableInvite } from "./invites";
import type { PasswordHasher } from "./password-hasher";
import { isConfiguredAdminName } from "./system-roles";
import { insertUser, usernameExists, usernameTaken, type PublicUser } from "./users";

/**
 * Creating an account, for the API (POST /api/v1/auth/register) and the
 * sign-up page alike. Each one costs an argon2id hash (64 MiB), and each
 * account gets its own allowances (runs, rooms), so:
 *  - SAM_REGISTRATION decides who may: anyone (open), whoever holds an invite
 *    (invite), or only whoever holds an invite the host made (closed);
 *  - every attempt counts against the client address (its /64 for IPv6; SAM_REGISTER_MAX_PER_IP
 *    per SAM_REGISTER_WINDOW_SECONDS, in Redis, so across web processes),
 *    before any hashing, so invites cannot be guessed at speed either;
 *  - the hash itself waits for a slot of the process's PasswordHasher, within
 *    the share of the slots one address may hold.
 */
export type RegistrationMode = "open" | "invite" | "closed";

export interface RegistrationLimits {
  maxPerIp: number;
  windowSeconds: number;
}

export class Registration {
  private readonly perIp: RateLimiterRedis;

  constructor(
    private readonly deps: {
      db: Database;
      redis: Redis;
      passwords: PasswordHasher /** SAM_ADMINS: names no new account may take. */;
      adminNames?: readonly string[];
    },
    readonly mode: RegistrationMode,
    limits: RegistrationLimits,
  ) {
    this.perIp = new RateLimiterRedis({
      storeClient: deps.redis,
      keyPrefix: "sam:rl:register-ip",
      points: limits.maxPerIp,
      duration: limits.windowSeconds,
    });
  }

  async register(input: Credentials & { invite?: string }, clientIp: string): Promise<PublicUser> {
    const { db, passwords } = this.deps;
    if (this.mode !== "open" && !input.invite) throw this.inviteRequired();
    const from = addressKey(clientIp);
    await this.countAttempt(from);
    const inviteId = this.mode === "open" ? undefined : await usableInvite(db, input.invite!, this.mode === "closed");
    // A taken name is known before spending a hash on it (the insert still guards the race).
    // A name SAM_ADMINS holds for an account yet to be made answers as taken (system-roles.ts says why).
    if (isConfiguredAdminName(this.deps.adminNames ?? [], input.username) || (await usernameExists(db, input.username))) throw usernameTaken(input.username);
    const passwordHash = await passwords.hash(input.password, from);
    if (!inviteId) return insertUser(db, input.username, passwordHash);
    // The account and the invite's use stand or fall together: a failed insert leaves the invite usable.
    return db.$transaction(async (tx) => {
      const user = await insertUser(tx, input.username, passwordHash);
      await spendInvite(tx, inviteId, user.id);
      return user;
    });
  }

  private async countAttempt(clientIp: string): Promise<void> {
    try {
      await this.perIp.consume(clientIp);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw new ApiError(429, "rate_limited", `Too many accounts were created from your address. Try again in ${describeWait(seconds)}.`, {
        "retry-after": String(seconds),
      });
    }
  }

  private inviteRequired(): ApiError {
    return this.mode === "closed"
      ? new ApiError(403, "registration_closed", "Registration on this server is closed; ask its administrator for an invite link (npm run invite).")
      : new ApiError(403, "invite_required", "Registration on this server needs an invite; ask someone who has an account here for an invite link.");
  }
}

export function describeWait(seconds: number): string {
  if (seconds < 90) return `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

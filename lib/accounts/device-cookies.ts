import { createHash, randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { type JWTPayload, jwtVerify, SignJWT } from "jose";
import { usernameKey } from "./credentials";

/**
 * Device cookies (OWASP's "Slow Down Online Guessing Attacks with Device
 * Cookies"): a browser or client that signed in to an account gets a signed
 * cookie naming it. Past the account's ceiling of failures from many
 * addresses (login-rate-limit.ts), only known networks may try, which would
 * leave the owner on a new network (a phone, a trip) waiting for the window
 * to end; a device the account signed in from before may try too, within
 * its address's own limits and a failure limit of its own (it names itself:
 * a copied cookie spread over many addresses shares one allowance). The
 * cookie proves only that this device once knew the password: it never signs
 * anyone in by itself. "Sign out everywhere" revokes every device cookie the
 * account had (revokeDeviceCookies).
 */
export const DEVICE_COOKIE = "sam_device";
export const DEVICE_COOKIE_DAYS = 30;
const AUDIENCE = "sam-device";

// A key of its own: a device cookie can never be mistaken for another signed value of the app.
const keyFor = (secret: string) => createHash("sha256").update(`sam device cookie\0${secret}`).digest();

/** The cookie's value for a device that signed in to `username`'s account. */
export function signDeviceCookie(secret: string, username: string): Promise<string> {
  // Issued when, in milliseconds (iat has whole seconds): a sign-in right after a revocation still counts.
  return new SignJWT({ at: Date.now() })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(usernameKey(username))
    .setJti(randomUUID())
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${DEVICE_COOKIE_DAYS}d`)
    .sign(keyFor(secret));
}

/**
 * The device's id if `value` (the cookie as sent, if any) is a valid,
 * unexpired device cookie of `username`'s account, made after its device
 * cookies were last revoked; undefined otherwise.
 */
export async function trustedDevice(deps: { secret: string; redis: Redis }, value: string | undefined, username: string): Promise<string | undefined> {
  if (!value || value.length > 1024) return undefined;
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(value, keyFor(deps.secret), { audience: AUDIENCE, algorithms: ["HS256"] }));
  } catch {
    return undefined;
  }
  if (payload.sub !== usernameKey(username) || typeof payload.jti !== "string" || typeof payload.at !== "number") return undefined;
  const revokedAt = Number((await deps.redis.get(revokedKey(payload.sub))) ?? 0);
  return payload.at > revokedAt ? payload.jti : undefined;
}

/** Every device cookie `username`'s account has now stops counting (sign out everywhere). */
export async function revokeDeviceCookies(redis: Redis, username: string): Promise<void> {
  await redis.set(revokedKey(usernameKey(username)), String(Date.now()), "EX", DEVICE_COOKIE_DAYS * 24 * 3600);
}

const revokedKey = (user: string) => `sam:device-revoked:${user}`;

/** The Set-Cookie header for the cookie: sent only to the sign-in routes, never readable by scripts. */
export function deviceCookieHeader(value: string, secure: boolean): string {
  return `${DEVICE_COOKIE}=${value}; Path=/api; Max-Age=${DEVICE_COOKIE_DAYS * 24 * 3600}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

/** One cookie's value from a Cookie header. */
export function cookieFrom(header: string | null | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

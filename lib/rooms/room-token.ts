import { createHash } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";
import { isRole, type RoomRole } from "./roles";

/**
 * The short-lived token that lets a browser open a room's socket on the
 * collab service: signed by the web app (HS256 with a key derived from
 * SAM_SECRET, which every service shares), naming the user, the room and the
 * role at the time of issue. The collab service verifies it on connect and
 * enforces the role itself; the browser fetches a fresh one on every
 * (re)connect, so a changed role takes effect at the next connection.
 */
export interface RoomClaims {
  userId: string;
  username: string;
  roomId: string;
  role: RoomRole;
}

const ISSUER = "sam-web";
const AUDIENCE = "sam-collab";
export const ROOM_TOKEN_TTL_SECONDS = 300;

// A key of its own: a room token can never be mistaken for another signed value of the app.
const keyFor = (secret: string) => createHash("sha256").update(`sam room token\0${secret}`).digest();

export async function signRoomToken(secret: string, claims: RoomClaims, ttlSeconds = ROOM_TOKEN_TTL_SECONDS): Promise<string> {
  return new SignJWT({ name: claims.username, room: claims.roomId, role: claims.role })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(keyFor(secret));
}

/** The claims of a valid, unexpired token for `roomId`; throws otherwise. */
export async function verifyRoomToken(secret: string, token: string, roomId: string): Promise<RoomClaims> {
  const { payload } = await jwtVerify(token, keyFor(secret), { issuer: ISSUER, audience: AUDIENCE, algorithms: ["HS256"] });
  if (payload.room !== roomId) throw new Error("the token is for another room");
  if (!isRole(payload.role) || typeof payload.sub !== "string" || typeof payload.name !== "string") throw new Error("the token's claims are malformed");
  return { userId: payload.sub, username: payload.name, roomId, role: payload.role };
}

/**
 * Service-to-service calls (the web app asking the collab service for a
 * room's live files) carry a token like any other caller: nothing is trusted
 * for coming from inside. Signed with a key of its own, valid for a minute.
 */
const serviceKey = (secret: string) => createHash("sha256").update(`sam service token\0${secret}`).digest();

export async function signServiceToken(secret: string, service: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(service)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime("60s")
    .sign(serviceKey(secret));
}

export async function verifyServiceToken(secret: string, token: string): Promise<string> {
  const { payload } = await jwtVerify(token, serviceKey(secret), { audience: AUDIENCE, algorithms: ["HS256"] });
  if (typeof payload.sub !== "string") throw new Error("the service token names no service");
  return payload.sub;
}

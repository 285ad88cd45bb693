import { createHash } from "node:crypto";
import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { api, registerUser } from "../support/api";

/** API tokens and share links expire; an expired one is refused like an unknown one, with a message that says why. */
const DAY = 24 * 3600_000;

async function sql(text: string, values: unknown[]) {
  const client = new pg.Client({ connectionString: inject("databaseUrl") });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const daysFromNow = (iso: string) => (new Date(iso).getTime() - Date.now()) / DAY;

describe("API token expiry", () => {
  it("tokens from sign-up and login last 30 days by default; login may ask for fewer, not more", async () => {
    const user = await registerUser();
    const reg = await api("POST", "/api/v1/auth/login", { body: { username: user.username, password: user.password } });
    expect(reg.status).toBe(200);
    expect(daysFromNow(reg.json.expiresAt)).toBeCloseTo(30, 1);

    const short = await api("POST", "/api/v1/auth/login", { body: { username: user.username, password: user.password, expiresInDays: 1 } });
    expect(short.status).toBe(200);
    expect(daysFromNow(short.json.expiresAt)).toBeCloseTo(1, 1);
    const [row] = await sql(`SELECT "expiresAt" FROM "ApiToken" WHERE "tokenHash" = $1`, [sha256(short.json.token)]);
    expect(Math.abs(new Date(row.expiresAt).getTime() - new Date(short.json.expiresAt).getTime())).toBeLessThan(1000);

    for (const expiresInDays of [31, 0, 1.5, "7"]) {
      const bad = await api("POST", "/api/v1/auth/login", { body: { username: user.username, password: user.password, expiresInDays } });
      expect(bad.status).toBe(400);
      expect(bad.json.error.code).toBe("invalid_request");
      expect(bad.json.error.message).toContain("expiresInDays");
    }
  });

  it("an expired token is refused with 401 token_expired and says to sign in again", async () => {
    const user = await registerUser();
    expect((await api("GET", "/api/v1/me", { token: user.token })).status).toBe(200);
    await sql(`UPDATE "ApiToken" SET "expiresAt" = now() - interval '1 second' WHERE "tokenHash" = $1`, [sha256(user.token)]);
    const res = await api("GET", "/api/v1/me", { token: user.token });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe("token_expired");
    expect(res.json.error.message).toMatch(/expired .*sign in again/);
    expect(res.headers.get("www-authenticate")).toContain("invalid_token");
    // Everything behind a token is closed to it, not only /me.
    expect((await api("GET", "/api/v1/rooms", { token: user.token })).status).toBe(401);
  });
});

describe("share link expiry", () => {
  async function roomOf(owner: { token: string }) {
    const room = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "Expiry", language: "python" } });
    expect(room.status).toBe(201);
    return room.json.id as string;
  }

  it("a link lasts 7 days unless its maker chooses; the list shows when each expires", async () => {
    const owner = await registerUser();
    const roomId = await roomOf(owner);
    const byDefault = await api("POST", `/api/v1/rooms/${roomId}/share-links`, { token: owner.token, body: { role: "viewer" } });
    expect(byDefault.status).toBe(201);
    expect(daysFromNow(byDefault.json.expiresAt)).toBeCloseTo(7, 1);
    const chosen = await api("POST", `/api/v1/rooms/${roomId}/share-links`, { token: owner.token, body: { role: "editor", expiresInDays: 2 } });
    expect(daysFromNow(chosen.json.expiresAt)).toBeCloseTo(2, 1);
    const list = await api("GET", `/api/v1/rooms/${roomId}/share-links`, { token: owner.token });
    expect(list.json.links).toEqual([
      { id: chosen.json.id, role: "editor", createdAt: chosen.json.createdAt, expiresAt: chosen.json.expiresAt },
      { id: byDefault.json.id, role: "viewer", createdAt: byDefault.json.createdAt, expiresAt: byDefault.json.expiresAt },
    ]);
    for (const expiresInDays of [0, 366, 2.5, "2"]) {
      const bad = await api("POST", `/api/v1/rooms/${roomId}/share-links`, { token: owner.token, body: { role: "viewer", expiresInDays } });
      expect(bad.status).toBe(400);
      expect(bad.json.error.message).toContain("expiresInDays");
    }
  });

  it("an expired link is refused like a revoked one (404 link_invalid) and leaves the list", async () => {
    const [owner, guest] = await Promise.all([registerUser(), registerUser()]);
    const roomId = await roomOf(owner);
    const link = await api("POST", `/api/v1/rooms/${roomId}/share-links`, { token: owner.token, body: { role: "editor", expiresInDays: 1 } });
    await sql(`UPDATE "ShareLink" SET "expiresAt" = now() - interval '1 second' WHERE id = $1`, [link.json.id]);
    const join = await api("POST", "/api/v1/share-links/join", { token: guest.token, body: { token: link.json.token } });
    expect(join.status).toBe(404);
    expect(join.json.error.code).toBe("link_invalid");
    expect(join.json.error.message).toContain("expired");
    expect((await api("GET", `/api/v1/rooms/${roomId}`, { token: guest.token })).status).toBe(404);
    expect((await api("GET", `/api/v1/rooms/${roomId}/share-links`, { token: owner.token })).json.links).toEqual([]);
  });
});

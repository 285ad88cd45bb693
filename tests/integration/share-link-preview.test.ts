import pg from "pg";
import { describe, expect, inject, it } from "vitest";
import { PREVIEW_LIMIT } from "../../lib/rooms/share-link-preview-limit";
import { api, registerUser, uniqueIp } from "../support/api";

/** POST /api/v1/share-links/preview: what a share link grants, told to whoever holds it (signed in or not), and nothing more. */
async function sql(text: string, values: unknown[]) {
  const client = new pg.Client({ connectionString: inject("databaseUrl") });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function roomWithLink(role: "editor" | "viewer" = "editor") {
  const owner = await registerUser();
  const room = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "Preview me", language: "python" } });
  const link = await api("POST", `/api/v1/rooms/${room.json.id}/share-links`, { token: owner.token, body: { role } });
  expect(link.status).toBe(201);
  return { owner, roomId: room.json.id as string, link: link.json as { id: string; token: string } };
}

const preview = (body: unknown, ip = uniqueIp()) => api("POST", "/api/v1/share-links/preview", { body, ip });

describe("share link preview", () => {
  it("tells a signed-out holder the room's name, the role and who shared it: nothing else", async () => {
    const { owner, roomId, link } = await roomWithLink("viewer");
    const res = await preview({ token: link.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.json).toEqual({ room: { name: "Preview me" }, role: "viewer", sharedBy: owner.username });
    expect(res.text).not.toContain(roomId);
    expect(res.text).not.toContain(link.id);
    // Looking does not join.
    const members = await api("GET", `/api/v1/rooms/${roomId}/members`, { token: owner.token });
    expect(members.json.members).toHaveLength(1);
  });

  it("an unknown, malformed, revoked or expired link is 404 link_invalid, all alike", async () => {
    const { link } = await roomWithLink();
    const revoked = await roomWithLink();
    expect((await api("DELETE", `/api/v1/rooms/${revoked.roomId}/share-links/${revoked.link.id}`, { token: revoked.owner.token })).status).toBe(204);
    const expired = await roomWithLink();
    await sql(`UPDATE "ShareLink" SET "expiresAt" = now() - interval '1 second' WHERE id = $1`, [expired.link.id]);
    const unknown = `samr_${"A".repeat(43)}`;
    for (const token of [unknown, "samr_short", "not a token at all", revoked.link.token, expired.link.token]) {
      const res = await preview({ token });
      expect(res.status, token).toBe(404);
      expect(res.json.error.code).toBe("link_invalid");
      expect(res.json.error.message).toContain("expired or was revoked");
    }
    // The working one still works.
    expect((await preview({ token: link.token })).json.role).toBe("editor");
  });

  it("bad bodies get a clear 400, never a 500", async () => {
    for (const body of [{}, { token: 42 }, { token: "" }, { token: "x".repeat(201) }, { token: "samr_x", extra: 1 }]) {
      const res = await preview(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.code).toBe("invalid_request");
    }
    const notJson = await api("POST", "/api/v1/share-links/preview", { rawBody: "{nope", ip: uniqueIp() });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.code).toBe("malformed_json");
  });

  it("one address gets a bounded number of look-ups a minute (429 rate_limited with Retry-After); others are not affected", async () => {
    const { link } = await roomWithLink();
    const ip = uniqueIp();
    const statuses: number[] = [];
    for (let i = 0; i < PREVIEW_LIMIT.perAddress; i++) statuses.push((await preview({ token: link.token }, ip)).status);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const limited = await preview({ token: link.token }, ip);
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe("rate_limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await preview({ token: link.token })).status).toBe(200);
  });
});

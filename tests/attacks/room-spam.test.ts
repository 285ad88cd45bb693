import { afterAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "../../lib/db/client";
import { createRedis } from "../../lib/redis/connection";
import { api, registerUser } from "../support/api";

/**
 * Attack (attack-web F7): fill someone's workspace with rooms. Any owner
 * could add any username to a room at once, without asking, and nobody could
 * leave; 10,000 rooms made in two minutes made the victim's workspace 5.2 MB
 * and 0.7-1.7 s of server time per load. Now adding by name is an invitation
 * the invitee accepts, everyone but the owner can leave, the room list comes
 * in pages, and rooms per owner are capped (rooms-membership.test.ts). A
 * declined invitation is kept until it expires, so the room cannot send it
 * again meanwhile.
 */
const db = createDatabase(inject("databaseUrl"));
const redis = createRedis(inject("redisUrl"));
afterAll(async () => {
  await db.$disconnect();
  redis.disconnect();
});

describe("rooms pushed on someone", () => {
  it("an owner cannot make someone a member: it is an invitation they may accept or decline", async () => {
    const [attacker, victim] = await Promise.all([registerUser(), registerUser()]);
    const rooms: string[] = [];
    for (let i = 0; i < 5; i++) {
      const room = await api("POST", "/api/v1/rooms", { token: attacker.token, body: { name: `spam ${i}`, language: "python" } });
      expect(room.status).toBe(201);
      rooms.push(room.json.id);
      const added = await api("POST", `/api/v1/rooms/${room.json.id}/members`, { token: attacker.token, body: { username: victim.username, role: "editor" } });
      expect(added.status).toBe(201);
      expect(added.json).toMatchObject({ username: victim.username, role: "editor", status: "invited" });
    }
    // Nothing in the victim's rooms, and no access to any of them.
    expect((await api("GET", "/api/v1/rooms", { token: victim.token })).json.rooms).toEqual([]);
    for (const id of rooms) expect((await api("GET", `/api/v1/rooms/${id}`, { token: victim.token })).status).toBe(404);
    // What they see is five invitations, which they can turn down at once.
    const pending = await api("GET", "/api/v1/me/room-invitations", { token: victim.token });
    expect(pending.json.total).toBe(5);
    expect(pending.json.invitations.map((i: any) => i.invitedBy.username)).toEqual(Array(5).fill(attacker.username));
    expect((await api("DELETE", "/api/v1/me/room-invitations", { token: victim.token })).status).toBe(204);
    expect((await api("GET", "/api/v1/me/room-invitations", { token: victim.token })).json.total).toBe(0);
    expect((await api("GET", "/api/v1/rooms", { token: victim.token })).json.rooms).toEqual([]);
    // Declined stays declined (third round, G6: it could invite again at once, as often as it liked).
    for (const id of rooms) {
      const again = await api("POST", `/api/v1/rooms/${id}/members`, { token: attacker.token, body: { username: victim.username, role: "viewer" } });
      expect(again.status).toBe(409);
      expect(again.json.error.code).toBe("invitation_declined");
      expect(again.json.error.message).toContain("share link");
    }
    expect((await api("GET", "/api/v1/me/room-invitations", { token: victim.token })).json.total).toBe(0);
    // A declined invitation holds no place in the room, and is not the owner's to withdraw or see.
    expect((await api("GET", `/api/v1/rooms/${rooms[0]}/invitations`, { token: attacker.token })).json.invitations).toEqual([]);
    // A room deleted and made again is no new start (fifth round, K4: 10 of 10 such invitations got through).
    expect((await api("DELETE", `/api/v1/rooms/${rooms[0]}`, { token: attacker.token })).status).toBe(204);
    const fresh = await api("POST", "/api/v1/rooms", { token: attacker.token, body: { name: "spam again", language: "python" } });
    const again = await api("POST", `/api/v1/rooms/${fresh.json.id}/members`, { token: attacker.token, body: { username: victim.username, role: "editor" } });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe("invitation_declined");
    expect((await api("GET", "/api/v1/me/room-invitations", { token: victim.token })).json.total).toBe(0);
    // Someone else may still invite them.
    const teacher = await registerUser();
    const classroom = await api("POST", "/api/v1/rooms", { token: teacher.token, body: { name: "class", language: "python" } });
    expect(
      (await api("POST", `/api/v1/rooms/${classroom.json.id}/members`, { token: teacher.token, body: { username: victim.username, role: "editor" } })).status,
    ).toBe(201);
  });

  it("a member who no longer wants a room leaves it", async () => {
    const [owner, member] = await Promise.all([registerUser(), registerUser()]);
    const room = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "unwanted", language: "python" } });
    const link = await api("POST", `/api/v1/rooms/${room.json.id}/share-links`, { token: owner.token, body: { role: "viewer" } });
    await api("POST", "/api/v1/share-links/join", { token: member.token, body: { token: link.json.url.split("#")[1] } });
    expect((await api("GET", "/api/v1/rooms", { token: member.token })).json.rooms).toHaveLength(1);
    expect((await api("DELETE", `/api/v1/rooms/${room.json.id}/members/me`, { token: member.token })).status).toBe(204);
    expect((await api("GET", "/api/v1/rooms", { token: member.token })).json.rooms).toEqual([]);
  });

  it("declining an old invitation last does not shorten how long the declines are remembered (sixth round, L5)", async () => {
    const [inviter, invitee] = await Promise.all([registerUser(), registerUser()]);
    const invite = async (name: string) => {
      const room = await api("POST", "/api/v1/rooms", { token: inviter.token, body: { name, language: "python" } });
      return (await api("POST", `/api/v1/rooms/${room.json.id}/members`, { token: inviter.token, body: { username: invitee.username, role: "viewer" } })).json
        .id as string;
    };
    const [old, fresh] = [await invite("old"), await invite("fresh")];
    // The old one has an hour left; the fresh one its full lifetime.
    await db.roomInvitation.update({ where: { id: old }, data: { expiresAt: new Date(Date.now() + 3600_000) } });
    expect((await api("DELETE", `/api/v1/me/room-invitations/${fresh}`, { token: invitee.token })).status).toBe(204);
    expect((await api("DELETE", `/api/v1/me/room-invitations/${old}`, { token: invitee.token })).status).toBe(204);
    const remembered = await redis.pttl(`sam:invitations-declined:${inviter.id}:${invitee.id}`);
    expect(remembered).toBeGreaterThan(24 * 3600_000);
  });
});

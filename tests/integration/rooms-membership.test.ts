import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, registerUser } from "../support/api";
import { addMember, connectRoom, eventually, roomToken, roomWithMembers, type TestUser } from "../support/rooms";
import { startWeb } from "../support/shared-backing";
import type { RunningService } from "../support/stack";

/**
 * Joining and leaving rooms: invitations by name that the invitee answers,
 * leaving, the room list in pages, and the caps on rooms per owner, members
 * per room and share links per room (on a web process of its own with small caps).
 */
const CAPS = { rooms: 3, members: 4, links: 2 };
let web: RunningService;
beforeAll(async () => {
  web = await startWeb({
    SAM_MAX_ROOMS_PER_USER: String(CAPS.rooms),
    SAM_MAX_ROOM_MEMBERS: String(CAPS.members),
    SAM_MAX_SHARE_LINKS_PER_ROOM: String(CAPS.links),
  });
});
afterAll(async () => {
  await web?.stop();
});
const on = (method: string, path: string, user: TestUser, body?: unknown) =>
  api(method, path, { token: user.token, base: web.url, ...(body === undefined ? {} : { body }) });
const newRoom = (owner: TestUser, name = "Capped") => on("POST", "/api/v1/rooms", owner, { name, language: "python" });
const linkToken = (url: string) => url.split("#")[1]!;

describe("invitations by name", () => {
  it("the invitee accepts (a member with the invited role) or declines; the owner sees and withdraws pending ones", async () => {
    const [owner, ada, bob, cy] = await Promise.all([registerUser(), registerUser(), registerUser(), registerUser()]);
    const roomId = (await newRoom(owner)).json.id as string;
    const invite = (u: TestUser, role: string) => on("POST", `/api/v1/rooms/${roomId}/members`, owner, { username: u.username, role });
    const toAda = await invite(ada, "viewer");
    expect(toAda.status).toBe(201);
    expect(toAda.json).toMatchObject({ roomId, userId: ada.id, username: ada.username, role: "viewer", status: "invited" });
    // Asked again with another role: the same invitation, renewed.
    const again = await invite(ada, "editor");
    expect(again.json).toMatchObject({ id: toAda.json.id, role: "editor" });
    const toBob = await invite(bob, "viewer");
    const toCy = await invite(cy, "viewer");
    const pending = await on("GET", `/api/v1/rooms/${roomId}/invitations`, owner);
    expect(pending.json.invitations.map((i: any) => [i.username, i.role])).toEqual([
      [ada.username, "editor"],
      [bob.username, "viewer"],
      [cy.username, "viewer"],
    ]);
    // Members list: only the owner so far.
    expect((await on("GET", `/api/v1/rooms/${roomId}/members`, owner)).json.members).toHaveLength(1);

    const mine = await on("GET", "/api/v1/me/room-invitations", ada);
    expect(mine.json.total).toBe(1);
    expect(mine.json.invitations[0]).toMatchObject({
      id: toAda.json.id,
      room: { id: roomId, name: "Capped", language: "python" },
      invitedBy: { id: owner.id, username: owner.username },
      role: "editor",
    });
    // Only the invitee can answer it.
    expect((await on("POST", `/api/v1/me/room-invitations/${toAda.json.id}/accept`, bob, {})).json.error.code).toBe("invitation_not_found");
    expect((await on("POST", `/api/v1/me/room-invitations/${toAda.json.id}/accept`, ada, {})).json).toEqual({ roomId, role: "editor" });
    expect((await on("POST", `/api/v1/me/room-invitations/${toAda.json.id}/accept`, ada, {})).status).toBe(404);
    expect((await on("GET", `/api/v1/rooms/${roomId}`, ada)).json.role).toBe("editor");

    expect((await on("DELETE", `/api/v1/me/room-invitations/${toBob.json.id}`, bob)).status).toBe(204);
    expect((await on("DELETE", `/api/v1/rooms/${roomId}/invitations/${toCy.json.id}`, owner)).status).toBe(204);
    expect((await on("POST", `/api/v1/me/room-invitations/${toCy.json.id}/accept`, cy, {})).status).toBe(404);
    for (const u of [bob, cy]) expect((await on("GET", `/api/v1/rooms/${roomId}`, u)).status).toBe(404);
    expect((await on("GET", `/api/v1/rooms/${roomId}/invitations`, owner)).json.invitations).toEqual([]);
    // Already a member: not invited again; unknown names and odd ids are clear 4xx.
    expect((await invite(ada, "viewer")).json.error.code).toBe("already_member");
    expect((await on("POST", `/api/v1/rooms/${roomId}/members`, owner, { username: "nobody_here_x", role: "editor" })).json.error.code).toBe("user_not_found");
    expect((await on("POST", "/api/v1/me/room-invitations/not-an-id/accept", ada, {})).status).toBe(404);
    expect((await on("DELETE", `/api/v1/rooms/${roomId}/invitations/not-an-id`, owner)).status).toBe(404);
  });
});

describe("leaving a room", () => {
  it("a member leaves (DELETE members/me or their own id); their room socket closes; the owner cannot leave", async () => {
    const r = await roomWithMembers();
    const socket = connectRoom(r.roomId, () => roomToken(r.roomId, r.editor));
    await socket.synced;
    expect((await api("DELETE", `/api/v1/rooms/${r.roomId}/members/me`, { token: r.editor.token })).status).toBe(204);
    await eventually("the editor's socket to close", () => socket.closeEvents.length > 0);
    socket.destroy();
    expect((await api("GET", `/api/v1/rooms/${r.roomId}`, { token: r.editor.token })).status).toBe(404);
    expect((await api("DELETE", `/api/v1/rooms/${r.roomId}/members/${r.viewer.id}`, { token: r.viewer.token })).status).toBe(204);
    const members = await api("GET", `/api/v1/rooms/${r.roomId}/members`, { token: r.owner.token });
    expect(members.json.members.map((m: any) => m.userId)).toEqual([r.owner.id]);
    const owner = await api("DELETE", `/api/v1/rooms/${r.roomId}/members/me`, { token: r.owner.token });
    expect(owner.status).toBe(409);
    expect(owner.json.error.code).toBe("owner_cannot_leave");
    // A non-member leaving: the room does not exist for them.
    expect((await api("DELETE", `/api/v1/rooms/${r.roomId}/members/me`, { token: r.outsider.token })).status).toBe(404);
  });
});

describe("the room list in pages", () => {
  it("pages follow each other, most recently used first, with no room twice or missed", async () => {
    const user = await registerUser();
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await api("POST", "/api/v1/rooms", { token: user.token, body: { name: `room ${i}`, language: "python" } })).json.id);
    const seen: Array<{ id: string; updatedAt: string }> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await api("GET", `/api/v1/rooms?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, { token: user.token });
      expect(page.status).toBe(200);
      expect(page.json.rooms.length).toBeLessThanOrEqual(3);
      seen.push(...page.json.rooms);
      cursor = page.json.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.map((r) => r.id).sort()).toEqual([...made].sort());
    const times = seen.map((r) => new Date(r.updatedAt).getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    // The default page is 50; limits and cursors out of shape are clear 400s.
    expect((await api("GET", "/api/v1/rooms", { token: user.token })).json.rooms).toHaveLength(7);
    for (const query of ["limit=0", "limit=101", "limit=abc", "limit=2.5"]) {
      expect((await api("GET", `/api/v1/rooms?${query}`, { token: user.token })).json.error.code).toBe("invalid_request");
    }
    for (const bad of ["nonsense", "%00", "MTIzLm5vdC1hLXV1aWQ"]) {
      expect((await api("GET", `/api/v1/rooms?cursor=${bad}`, { token: user.token })).json.error.code).toBe("invalid_cursor");
    }
  });
});

describe("caps", () => {
  it("rooms one user owns: 409 too_many_rooms, even for a parallel burst; deleting one makes room again", async () => {
    const owner = await registerUser();
    const burst = await Promise.all(Array.from({ length: CAPS.rooms + 4 }, (_, i) => newRoom(owner, `burst ${i}`)));
    const made = burst.filter((r) => r.status === 201);
    expect(made).toHaveLength(CAPS.rooms);
    const refused = burst.find((r) => r.status !== 201)!;
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe("too_many_rooms");
    expect((await on("DELETE", `/api/v1/rooms/${made[0]!.json.id}`, owner)).status).toBe(204);
    expect((await newRoom(owner)).status).toBe(201);
    // Rooms one belongs to without owning them do not count.
    const other = await registerUser();
    const theirs = (await newRoom(other)).json.id;
    await addMember(theirs, other, owner, "viewer");
    expect((await newRoom(other)).status).toBe(201);
  });

  it("members per room, pending invitations included: 409 room_full for inviting, links and accepting", async () => {
    const owner = await registerUser();
    const people = await Promise.all(Array.from({ length: CAPS.members + 1 }, () => registerUser()));
    const roomId = (await newRoom(owner)).json.id as string;
    const link = await on("POST", `/api/v1/rooms/${roomId}/share-links`, owner, { role: "viewer" });
    // Owner + two by link + one invitation = 4 places.
    for (const p of people.slice(0, 2)) expect((await on("POST", "/api/v1/share-links/join", p, { token: linkToken(link.json.url) })).status).toBe(200);
    const invited = await on("POST", `/api/v1/rooms/${roomId}/members`, owner, { username: people[2]!.username, role: "editor" });
    expect(invited.status).toBe(201);
    const full = await on("POST", `/api/v1/rooms/${roomId}/members`, owner, { username: people[3]!.username, role: "editor" });
    expect(full.status).toBe(409);
    expect(full.json.error.code).toBe("room_full");
    const byLink = await on("POST", "/api/v1/share-links/join", people[3]!, { token: linkToken(link.json.url) });
    expect(byLink.status).toBe(409);
    expect(byLink.json.error.code).toBe("room_full");
    // The invitation's place is kept for its invitee.
    expect((await on("POST", `/api/v1/me/room-invitations/${invited.json.id}/accept`, people[2]!, {})).status).toBe(200);
    // A member opening the link again is no newcomer: no place needed.
    expect((await on("POST", "/api/v1/share-links/join", people[0]!, { token: linkToken(link.json.url) })).status).toBe(200);
    // Someone leaves: a place opens.
    expect((await on("DELETE", `/api/v1/rooms/${roomId}/members/me`, people[1]!)).status).toBe(204);
    expect((await on("POST", "/api/v1/share-links/join", people[3]!, { token: linkToken(link.json.url) })).status).toBe(200);
  });

  it("share links per room that still work: 409 too_many_share_links; revoking one makes room", async () => {
    const owner = await registerUser();
    const roomId = (await newRoom(owner)).json.id as string;
    const links = [];
    for (let i = 0; i < CAPS.links; i++) links.push(await on("POST", `/api/v1/rooms/${roomId}/share-links`, owner, { role: "viewer" }));
    const refused = await on("POST", `/api/v1/rooms/${roomId}/share-links`, owner, { role: "editor" });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe("too_many_share_links");
    expect((await on("DELETE", `/api/v1/rooms/${roomId}/share-links/${links[0]!.json.id}`, owner)).status).toBe(204);
    expect((await on("POST", `/api/v1/rooms/${roomId}/share-links`, owner, { role: "editor" })).status).toBe(201);
  });
});

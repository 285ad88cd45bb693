import { beforeAll, describe, expect, it } from "vitest";
import { api, registerUser } from "../support/api";
import { roomWithMembers } from "../support/rooms";

/**
 * Every cell of the role table, tried against the server directly (not
 * through the UI): viewer, editor, owner, and someone who is not a member
 * (who must get 404, as if the room did not exist).
 */
type Who = "viewer" | "editor" | "owner" | "outsider";
const WHO: Who[] = ["viewer", "editor", "owner", "outsider"];

let room: Awaited<ReturnType<typeof roomWithMembers>>;

beforeAll(async () => {
  room = await roomWithMembers();
});

/** Each action, and the status each kind of caller must get. Actions that change things run on a room of their own. */
const cases: Array<{ action: string; expect: Record<Who, number>; call(who: Who, r: typeof room): Promise<{ status: number }> }> = [
  {
    action: "open the room",
    expect: { viewer: 200, editor: 200, owner: 200, outsider: 404 },
    call: (w, r) => api("GET", `/api/v1/rooms/${r.roomId}`, { token: r[w].token }),
  },
  {
    action: "list members",
    expect: { viewer: 200, editor: 200, owner: 200, outsider: 404 },
    call: (w, r) => api("GET", `/api/v1/rooms/${r.roomId}/members`, { token: r[w].token }),
  },
  {
    action: "see runs",
    expect: { viewer: 200, editor: 200, owner: 200, outsider: 404 },
    call: (w, r) => api("GET", `/api/v1/rooms/${r.roomId}/runs`, { token: r[w].token }),
  },
  {
    action: "get a room socket token",
    expect: { viewer: 200, editor: 200, owner: 200, outsider: 404 },
    call: (w, r) => api("POST", `/api/v1/rooms/${r.roomId}/token`, { token: r[w].token, body: {} }),
  },
  {
    action: "follow the room's events",
    expect: { viewer: 200, editor: 200, owner: 200, outsider: 404 },
    call: async (w, r) => {
      const controller = new AbortController();
      const res = await fetch(`${(await import("../support/api")).webUrl()}/api/v1/rooms/${r.roomId}/events`, {
        headers: { authorization: `Bearer ${r[w].token}` },
        signal: controller.signal,
      });
      controller.abort();
      return { status: res.status };
    },
  },
  {
    action: "run",
    expect: { viewer: 403, editor: 202, owner: 202, outsider: 404 },
    call: (w, r) => api("POST", `/api/v1/rooms/${r.roomId}/runs`, { token: r[w].token, body: {} }),
  },
  {
    action: "rename",
    expect: { viewer: 403, editor: 403, owner: 200, outsider: 404 },
    call: (w, r) => api("PATCH", `/api/v1/rooms/${r.roomId}`, { token: r[w].token, body: { name: `renamed by ${w}` } }),
  },
  {
    action: "invite",
    expect: { viewer: 403, editor: 403, owner: 201, outsider: 404 },
    call: async (w, r) =>
      api("POST", `/api/v1/rooms/${r.roomId}/members`, { token: r[w].token, body: { username: (await registerUser()).username, role: "viewer" } }),
  },
  {
    action: "change a role",
    expect: { viewer: 403, editor: 403, owner: 200, outsider: 404 },
    call: (w, r) => api("PATCH", `/api/v1/rooms/${r.roomId}/members/${r.viewer.id}`, { token: r[w].token, body: { role: "viewer" } }),
  },
  {
    action: "list share links",
    expect: { viewer: 403, editor: 403, owner: 200, outsider: 404 },
    call: (w, r) => api("GET", `/api/v1/rooms/${r.roomId}/share-links`, { token: r[w].token }),
  },
  {
    action: "create a share link",
    expect: { viewer: 403, editor: 403, owner: 201, outsider: 404 },
    call: (w, r) => api("POST", `/api/v1/rooms/${r.roomId}/share-links`, { token: r[w].token, body: { role: "viewer" } }),
  },
  {
    action: "list pending invitations",
    expect: { viewer: 403, editor: 403, owner: 200, outsider: 404 },
    call: (w, r) => api("GET", `/api/v1/rooms/${r.roomId}/invitations`, { token: r[w].token }),
  },
];

describe("room roles, enforced by the API", () => {
  for (const c of cases) {
    it(`${c.action}: viewer ${c.expect.viewer}, editor ${c.expect.editor}, owner ${c.expect.owner}, non-member ${c.expect.outsider}`, async () => {
      for (const who of WHO) {
        const res = await c.call(who, room);
        expect({ who, status: res.status }).toEqual({ who, status: c.expect[who] });
      }
    });
  }

  it("removing members and revoking links: only the owner (on a room of its own)", async () => {
    const r = await roomWithMembers();
    const link = await api("POST", `/api/v1/rooms/${r.roomId}/share-links`, { token: r.owner.token, body: { role: "viewer" } });
    // Removing someone else (removing oneself is leaving: see rooms-membership.test.ts).
    for (const [who, other] of [
      ["viewer", r.editor],
      ["editor", r.viewer],
      ["outsider", r.viewer],
    ] as const) {
      const expected = who === "outsider" ? 404 : 403;
      expect((await api("DELETE", `/api/v1/rooms/${r.roomId}/members/${other.id}`, { token: r[who].token })).status).toBe(expected);
      expect((await api("DELETE", `/api/v1/rooms/${r.roomId}/share-links/${link.json.id}`, { token: r[who].token })).status).toBe(expected);
    }
    expect((await api("DELETE", `/api/v1/rooms/${r.roomId}/share-links/${link.json.id}`, { token: r.owner.token })).status).toBe(204);
    expect((await api("DELETE", `/api/v1/rooms/${r.roomId}/members/${r.viewer.id}`, { token: r.owner.token })).status).toBe(204);
    // Removed: the room is now invisible to them.
    expect((await api("GET", `/api/v1/rooms/${r.roomId}`, { token: r.viewer.token })).status).toBe(404);
  });

  it("deleting the room: only the owner, and then it is gone for everyone", async () => {
    const r = await roomWithMembers();
    for (const who of ["viewer", "editor"] as const) expect((await api("DELETE", `/api/v1/rooms/${r.roomId}`, { token: r[who].token })).status).toBe(403);
    expect((await api("DELETE", `/api/v1/rooms/${r.roomId}`, { token: r.outsider.token })).status).toBe(404);
    expect((await api("DELETE", `/api/v1/rooms/${r.roomId}`, { token: r.owner.token })).status).toBe(204);
    for (const who of ["owner", "editor", "viewer"] as const) expect((await api("GET", `/api/v1/rooms/${r.roomId}`, { token: r[who].token })).status).toBe(404);
  });

  it("stopping a room's run: editors and the owner; a viewer is refused; others see nothing", async () => {
    const r = await roomWithMembers();
    // A program that runs long enough to be stopped.
    const started = await api("POST", `/api/v1/rooms/${r.roomId}/runs`, { token: r.editor.token, body: {} });
    expect(started.status).toBe(202);
    const id = started.json.id as string;
    expect((await api("GET", `/api/v1/executions/${id}`, { token: r.viewer.token })).status).toBe(200);
    expect((await api("GET", `/api/v1/executions/${id}`, { token: r.outsider.token })).status).toBe(404);
    expect((await api("DELETE", `/api/v1/executions/${id}`, { token: r.viewer.token })).status).toBe(403);
    // Typing into it: the same rule (an editor may; the run may have finished already: 409).
    expect((await api("POST", `/api/v1/executions/${id}/stdin`, { token: r.viewer.token, body: { data: "x\n" } })).status).toBe(403);
    expect((await api("POST", `/api/v1/executions/${id}/stdin`, { token: r.outsider.token, body: { data: "x\n" } })).status).toBe(404);
    expect([202, 409]).toContain((await api("POST", `/api/v1/executions/${id}/stdin`, { token: r.editor.token, body: { data: "x\n" } })).status);
    expect((await api("DELETE", `/api/v1/executions/${id}`, { token: r.outsider.token })).status).toBe(404);
    const stopped = await api("DELETE", `/api/v1/executions/${id}`, { token: r.owner.token });
    // The hello world may already have finished: then there is nothing to stop (409), which is still allowed.
    expect([200, 409]).toContain(stopped.status);
  });
});

import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import * as Y from "yjs";
import { decodeDocument, listFiles } from "../../lib/rooms/document";
import { api, registerUser } from "../support/api";
import { connectRoom, eventually, roomToken, roomWithMembers } from "../support/rooms";

const pool = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
afterAll(() => pool.end());

async function storedFiles(roomId: string) {
  const { rows } = await pool.query<{ state: Buffer }>('SELECT state FROM "RoomDocument" WHERE "roomId" = $1', [roomId]);
  const doc = decodeDocument(new Uint8Array(rows[0]!.state));
  return listFiles(doc).map(({ path, content }) => ({ path, content }));
}

async function waitForRun(id: string, token: string) {
  let body: any;
  await eventually(
    "the run to finish",
    async () => {
      body = (await api("GET", `/api/v1/executions/${id}`, { token })).json;
      return !["queued", "running"].includes(body.status);
    },
    60_000,
  );
  return body;
}

describe("rooms API", () => {
  it("creates a room from the language's hello-world template, owned by its creator", async () => {
    const owner = await registerUser();
    const res = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "  My project ", language: "py" } });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ name: "My project", language: "python", role: "owner", members: 1 });
    expect(await storedFiles(res.json.id)).toEqual([{ path: "main.py", content: 'print("Hello, world!")\n' }]);
    const list = await api("GET", "/api/v1/rooms", { token: owner.token });
    expect(list.json.rooms.map((r: { id: string }) => r.id)).toContain(res.json.id);
  });

  it("refuses bad input with a 4xx that says what to fix", async () => {
    const owner = await registerUser();
    const unknown = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "x", language: "cobol" } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe("unknown_language");
    expect(unknown.json.error.message).toContain("python");
    expect((await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "", language: "python" } })).json.error.code).toBe("invalid_request");
    expect((await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "x".repeat(81), language: "python" } })).status).toBe(400);
    expect((await api("POST", "/api/v1/rooms", { token: owner.token, rawBody: "{not json" })).status).toBe(400);
    const { roomId } = await roomWithMembers();
    expect((await api("GET", "/api/v1/rooms/not-a-uuid", { token: owner.token })).status).toBe(404);
    expect((await api("GET", `/api/v1/rooms/${roomId}`)).status).toBe(401);
  });

  it("invites by name, changes roles and removes members; the owner stays the owner", async () => {
    const { roomId, owner, viewer, editor } = await roomWithMembers();
    const members = await api("GET", `/api/v1/rooms/${roomId}/members`, { token: viewer.token });
    expect(members.json.members.map((m: { username: string; role: string }) => [m.username, m.role])).toEqual([
      [owner.username, "owner"],
      [editor.username, "editor"],
      [viewer.username, "viewer"],
    ]);
    expect(
      (await api("POST", `/api/v1/rooms/${roomId}/members`, { token: owner.token, body: { username: "nobody_here_x", role: "editor" } })).json.error.code,
    ).toBe("user_not_found");
    expect((await api("POST", `/api/v1/rooms/${roomId}/members`, { token: owner.token, body: { username: editor.username, role: "viewer" } })).status).toBe(
      409,
    );
    expect((await api("POST", `/api/v1/rooms/${roomId}/members`, { token: owner.token, body: { username: "someone", role: "owner" } })).status).toBe(400);
    expect((await api("PATCH", `/api/v1/rooms/${roomId}/members/${owner.id}`, { token: owner.token, body: { role: "viewer" } })).json.error.code).toBe(
      "owner_fixed",
    );
    expect((await api("PATCH", `/api/v1/rooms/${roomId}/members/${viewer.id}`, { token: owner.token, body: { role: "editor" } })).json.role).toBe("editor");
    expect((await api("POST", `/api/v1/rooms/${roomId}/runs`, { token: viewer.token, body: {} })).status).toBe(202);
  });

  it("share links: join with the link's role, keep a higher role, stop working when revoked", async () => {
    const { roomId, owner, editor } = await roomWithMembers();
    const link = await api("POST", `/api/v1/rooms/${roomId}/share-links`, { token: owner.token, body: { role: "viewer" } });
    expect(link.status).toBe(201);
    expect(link.json.url).toMatch(/\/join#samr_/);
    const token = link.json.url.split("#")[1];
    const newcomer = await registerUser();
    expect((await api("POST", "/api/v1/share-links/join", { token: newcomer.token, body: { token } })).json).toEqual({ roomId, role: "viewer" });
    // An editor opening a viewer link stays an editor.
    expect((await api("POST", "/api/v1/share-links/join", { token: editor.token, body: { token } })).json.role).toBe("editor");
    const listed = await api("GET", `/api/v1/rooms/${roomId}/share-links`, { token: owner.token });
    expect(listed.json.links).toHaveLength(1);
    expect(JSON.stringify(listed.json)).not.toContain(token);
    expect((await api("DELETE", `/api/v1/rooms/${roomId}/share-links/${link.json.id}`, { token: owner.token })).status).toBe(204);
    const late = await registerUser();
    const refused = await api("POST", "/api/v1/share-links/join", { token: late.token, body: { token } });
    expect(refused.status).toBe(404);
    expect(refused.json.error.code).toBe("link_invalid");
    expect((await api("POST", "/api/v1/share-links/join", { token: late.token, body: { token: "samr_forged" } })).status).toBe(404);
    expect((await api("GET", `/api/v1/rooms/${roomId}`, { token: late.token })).status).toBe(404);
  });

  it("a room's run takes the files everyone sees now, and every member may follow it", async () => {
    const { roomId, editor, viewer } = await roomWithMembers();
    const client = connectRoom(roomId, () => roomToken(roomId, editor));
    try {
      await client.synced;
      // Edit through the room socket, then run at once: the run must see the edit (not the stored copy).
      const files = client.doc.getMap<Y.Map<unknown>>("files");
      const [entry] = [...files.values()];
      const text = entry!.get("text") as Y.Text;
      client.doc.transact(() => {
        text.delete(0, text.length);
        text.insert(0, "import sys\nprint('edited', input())\n");
      });
      await eventually(
        "the edit to reach the server",
        async () => (await api("GET", `/api/v1/rooms/${roomId}`, { token: editor.token })).status === 200 && client.provider.unsyncedChanges === 0,
      );
      const started = await api("POST", `/api/v1/rooms/${roomId}/runs`, { token: editor.token, body: { stdin: "from stdin\n" } });
      expect(started.status).toBe(202);
      const result = await waitForRun(started.json.id, viewer.token);
      expect(result.status).toBe("succeeded");
      expect(result.stdout).toBe("edited from stdin\n");
      const runs = await api("GET", `/api/v1/rooms/${roomId}/runs`, { token: viewer.token });
      expect(runs.json.runs[0]).toMatchObject({ id: started.json.id, startedBy: { username: editor.username } });
      // The edit is stored too (debounced).
      await eventually("the edit to be stored", async () => (await storedFiles(roomId))[0]?.content.startsWith("import sys") ?? false);
    } finally {
      client.destroy();
    }
  });
});

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import * as Y from "yjs";
import { createDatabase } from "../../lib/db/client";
import { addFile, filesOf, foldersOf, listFiles } from "../../lib/rooms/document";
import { snapshotContent } from "../../lib/rooms/snapshots/content";
import { restoreFiles, restoreUndoManager } from "../../lib/rooms/snapshots/restore";
import { takeManualSnapshot, takeRunSnapshot } from "../../lib/rooms/snapshots/take";
import { api } from "../support/api";
import { connectRoom, eventually, type RoomClient, roomToken, roomWithMembers } from "../support/rooms";

/**
 * A room's history through the API: who may list, save, read, compare and
 * delete snapshots; what bad input gets; the snapshot each run takes (once
 * per distinct set of files); and how much a room keeps.
 */
type Room = Awaited<ReturnType<typeof roomWithMembers>>;
type Who = "viewer" | "editor" | "owner" | "outsider";
const WHO: Who[] = ["viewer", "editor", "owner", "outsider"];
const db = createDatabase(inject("databaseUrl"));
const clients: RoomClient[] = [];

afterAll(async () => {
  for (const c of clients) c.destroy();
  await db.$disconnect();
});

const snapshots = (r: Room, who: Who = "owner") => api("GET", `/api/v1/rooms/${r.roomId}/snapshots`, { token: r[who].token });
const save = (r: Room, name: unknown, who: Who = "owner") => api("POST", `/api/v1/rooms/${r.roomId}/snapshots`, { token: r[who].token, body: { name } });

/** An editor's live connection to the room, to change its files as a browser would. */
async function editorDoc(r: Room): Promise<Y.Doc> {
  const client = connectRoom(r.roomId, () => roomToken(r.roomId, r.editor));
  clients.push(client);
  await client.synced;
  return client.doc;
}

function setText(doc: Y.Doc, path: string, content: string) {
  const file = listFiles(doc).find((f) => f.path === path)!;
  const text = filesOf(doc).get(file.id)!.get("text") as Y.Text;
  doc.transact(() => {
    text.delete(0, text.length);
    text.insert(0, content);
  });
}

describe("who may do what with snapshots", () => {
  let room: Room;
  let snapshotId: string;
  beforeAll(async () => {
    room = await roomWithMembers();
    const saved = await save(room, "first");
    expect(saved.status).toBe(201);
    snapshotId = saved.json.id;
  });

  it("asks who is calling (401 without a session or token)", async () => {
    expect((await api("GET", `/api/v1/rooms/${room.roomId}/snapshots`)).status).toBe(401);
    expect((await api("POST", `/api/v1/rooms/${room.roomId}/snapshots`, { body: { name: "x" } })).status).toBe(401);
    expect((await api("GET", `/api/v1/rooms/${room.roomId}/snapshots/${snapshotId}`)).status).toBe(401);
    expect((await api("DELETE", `/api/v1/rooms/${room.roomId}/snapshots/${snapshotId}`)).status).toBe(401);
  });

  const cases: Array<{ action: string; expect: Record<Who, number>; call(who: Who): Promise<{ status: number; json?: any }> }> = [
    { action: "list", expect: { viewer: 200, editor: 200, owner: 200, outsider: 404 }, call: (w) => snapshots(room, w) },
    { action: "save", expect: { viewer: 403, editor: 201, owner: 201, outsider: 404 }, call: (w) => save(room, `by ${w}`, w) },
    {
      action: "read one with its files",
      expect: { viewer: 200, editor: 200, owner: 200, outsider: 404 },
      call: (w) => api("GET", `/api/v1/rooms/${room.roomId}/snapshots/${snapshotId}`, { token: room[w].token }),
    },
    {
      action: "compare with now",
      expect: { viewer: 200, editor: 200, owner: 200, outsider: 404 },
      call: (w) => api("GET", `/api/v1/rooms/${room.roomId}/snapshots/${snapshotId}/diff`, { token: room[w].token }),
    },
  ];
  for (const c of cases) {
    for (const who of WHO) {
      it(`${c.action}: ${who} gets ${c.expect[who]}`, async () => {
        const res = await c.call(who);
        expect(res.status).toBe(c.expect[who]);
        if (res.status === 404) expect(res.json.error.code).toBe("not_found");
        if (res.status === 403) expect(res.json.error.code).toBe("forbidden");
      });
    }
  }

  it("lists named snapshots with who saved them, newest first, without files", async () => {
    const res = await snapshots(room, "viewer");
    const first = res.json.snapshots.find((s: { id: string }) => s.id === snapshotId);
    expect(first).toMatchObject({ kind: "manual", name: "first", createdBy: { id: room.owner.id, username: room.owner.username }, executionId: null });
    expect(first.files).toBeUndefined();
    const times = res.json.snapshots.map((s: { createdAt: string }) => Date.parse(s.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(res.json.limits).toEqual({ runs: 20, manual: 20, bytes: 16 * 1024 * 1024 });
  });

  it("deletes: the saver their own named snapshot, the owner any; others get 403", async () => {
    const byEditor = (await save(room, "editor's", "editor")).json.id;
    const byOwner = (await save(room, "owner's", "owner")).json.id;
    const del = (id: string, who: Who) => api("DELETE", `/api/v1/rooms/${room.roomId}/snapshots/${id}`, { token: room[who].token });
    expect((await del(byOwner, "editor")).status).toBe(403);
    expect((await del(byEditor, "viewer")).status).toBe(403);
    expect((await del(byEditor, "outsider")).status).toBe(404);
    expect((await del(byEditor, "editor")).status).toBe(204);
    expect((await del(byOwner, "owner")).status).toBe(204);
    const again = await del(byOwner, "owner");
    expect(again.status).toBe(404);
    expect(again.json.error.code).toBe("snapshot_not_found");
  });

  it("answers bad input with a 4xx and a code that says what to fix", async () => {
    for (const name of [undefined, "", "   ", "x".repeat(81), "two\nlines", "\u202eevil", 42]) {
      const res = await save(room, name);
      expect(res.status, JSON.stringify(name)).toBe(400);
      expect(res.json.error.code).toBe("invalid_request");
      expect(res.json.error.message).toMatch(/name/);
    }
    const extra = await api("POST", `/api/v1/rooms/${room.roomId}/snapshots`, { token: room.owner.token, body: { name: "a", files: [] } });
    expect(extra.status).toBe(400);
    const broken = await api("POST", `/api/v1/rooms/${room.roomId}/snapshots`, { token: room.owner.token, rawBody: "{" });
    expect(broken.json.error.code).toBe("malformed_json");
    for (const id of ["nope", "00000000-0000-4000-8000-000000000000"]) {
      for (const path of [id, `${id}/diff`]) {
        const res = await api("GET", `/api/v1/rooms/${room.roomId}/snapshots/${path}`, { token: room.owner.token });
        expect(res.status).toBe(404);
        expect(res.json.error.code).toBe("snapshot_not_found");
      }
    }
  });

  it("does not show one room's snapshot through another room", async () => {
    const other = await roomWithMembers();
    const res = await api("GET", `/api/v1/rooms/${other.roomId}/snapshots/${snapshotId}`, { token: other.owner.token });
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe("snapshot_not_found");
  });
});

describe("what a snapshot holds and how it compares with now", () => {
  it("keeps the files as they were and lists what changed since, with a line diff", async () => {
    const room = await roomWithMembers();
    const doc = await editorDoc(room);
    const [main] = listFiles(doc);
    setText(doc, main!.path, "print('one')\nprint('two')\n");
    // Saved until the edit has reached the room (the newest snapshot then holds it).
    await eventually("a snapshot holds the edit", async () => {
      const saved = await save(room, "two lines");
      const files = (await api("GET", `/api/v1/rooms/${room.roomId}/snapshots/${saved.json.id}`, { token: room.viewer.token })).json.files;
      return files.some((f: { content: string }) => f.content === "print('one')\nprint('two')\n");
    });
    const id = (await snapshots(room)).json.snapshots[0].id;
    setText(doc, main!.path, "print('one')\nprint('TWO')\n");
    const added = new Y.Map<unknown>();
    added.set("path", "extra.py");
    added.set("text", new Y.Text("x = 1\n"));
    filesOf(doc).set("extra-file", added);
    let changes: Array<{ path: string; status: string; lines: unknown }> = [];
    await eventually(
      "the diff shows both edits",
      async () => {
        changes = (await api("GET", `/api/v1/rooms/${room.roomId}/snapshots/${id}/diff`, { token: room.viewer.token })).json.changes;
        return changes.length === 2;
      },
      20_000,
    );
    expect(changes).toEqual(
      [
        { path: "extra.py", status: "added", lines: null },
        {
          path: main!.path,
          status: "changed",
          lines: [
            { kind: "same", text: "print('one')\n" },
            { kind: "removed", text: "print('two')\n" },
            { kind: "added", text: "print('TWO')\n" },
          ],
        },
      ].sort((a, b) => (a.path < b.path ? -1 : 1)),
    );
  });
});

describe("the snapshot each run takes", () => {
  it("stores the files that ran, once per distinct set of files, by whom", async () => {
    const room = await roomWithMembers();
    const run = () => api("POST", `/api/v1/rooms/${room.roomId}/runs`, { token: room.editor.token, body: {} });
    const first = await run();
    expect(first.status).toBe(202);
    const runSnapshots = async () => (await snapshots(room, "viewer")).json.snapshots.filter((s: { kind: string }) => s.kind === "run");
    expect(await runSnapshots()).toEqual([
      expect.objectContaining({ kind: "run", name: null, executionId: first.json.id, createdBy: { id: room.editor.id, username: room.editor.username } }),
    ]);
    // The same files again: no second snapshot.
    expect((await run()).status).toBe(202);
    expect(await runSnapshots()).toHaveLength(1);
    // Changed files: a new one, with the new text.
    const doc = await editorDoc(room);
    const [main] = listFiles(doc);
    setText(doc, main!.path, "print('changed')\n");
    const [taken] = await runSnapshots();
    await eventually(
      "the edit reaches the room",
      async () => (await api("GET", `/api/v1/rooms/${room.roomId}/snapshots/${taken.id}/diff`, { token: room.viewer.token })).json.changes.length === 1,
      20_000,
    );
    expect((await run()).status).toBe(202);
    expect(await runSnapshots()).toHaveLength(2);
    const [newest] = await runSnapshots();
    const read = await api("GET", `/api/v1/rooms/${room.roomId}/snapshots/${newest.id}`, { token: room.viewer.token });
    expect(read.json.files).toContainEqual({ path: main!.path, content: "print('changed')\n" });
  });
});

describe("how much a room keeps", () => {
  it("refuses a named snapshot past the room's count (409 too_many_snapshots); deleting one makes room", async () => {
    const room = await roomWithMembers();
    let last = "";
    for (let i = 0; i < 20; i++) {
      const res = await save(room, `n${i}`);
      expect(res.status).toBe(201);
      last = res.json.id;
    }
    const refused = await save(room, "one too many", "editor");
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe("too_many_snapshots");
    expect(refused.json.error.message).toMatch(/20/);
    expect((await api("DELETE", `/api/v1/rooms/${room.roomId}/snapshots/${last}`, { token: room.owner.token })).status).toBe(204);
    expect((await save(room, "fits again")).status).toBe(201);
  });

  it("keeps the newest run snapshots, makes them give way to the byte quota, and refuses named ones past it", async () => {
    const room = await roomWithMembers();
    // Bytes are the files' JSON: 31 for a run snapshot of one character here, 120 for the named one below.
    const limits = { runs: 3, manual: 5, bytes: 160 };
    const content = (text: string) => snapshotContent([{ path: "a.py", content: text }]);
    const execution = () => globalThis.crypto.randomUUID();
    const run = (text: string) => takeRunSnapshot(db, { roomId: room.roomId, userId: room.owner.id, executionId: execution(), content: content(text) }, limits);
    const rows = async () => db.roomSnapshot.findMany({ where: { roomId: room.roomId }, orderBy: { createdAt: "asc" } });
    for (const text of ["1", "2", "3", "4", "5"]) expect(await run(text)).not.toBeNull();
    expect(await run("5")).toBeNull();
    expect((await rows()).map((r) => (r.files as Array<{ content: string }>)[0]!.content)).toEqual(["3", "4", "5"]);
    // A named snapshot of 120 bytes: the oldest run snapshots make way for it until the room fits in 160.
    await takeManualSnapshot(db, { roomId: room.roomId, userId: room.owner.id, name: "big", content: content("x".repeat(90)) }, limits);
    const after = await rows();
    expect(after.map((r) => [r.kind, (r.files as Array<{ content: string }>)[0]!.content])).toEqual([
      ["run", "5"],
      ["manual", "x".repeat(90)],
    ]);
    // Another named one would put named snapshots over the quota: refused, nothing pruned for it.
    await expect(
      takeManualSnapshot(db, { roomId: room.roomId, userId: room.owner.id, name: "too big", content: content("y".repeat(40)) }, limits),
    ).rejects.toMatchObject({ status: 409, code: "snapshot_quota" });
  });
});

describe("restoring through the room socket", () => {
  it("an editor's restore reaches everyone and is stored, undo takes it back; a viewer's modified client cannot restore", async () => {
    const room = await roomWithMembers();
    const connect = (who: "owner" | "editor" | "viewer") => {
      const client = connectRoom(room.roomId, () => roomToken(room.roomId, room[who]));
      clients.push(client);
      return client;
    };
    const [a, b, v] = [connect("owner"), connect("editor"), connect("viewer")];
    await Promise.all([a.synced, b.synced, v.synced]);
    const saved = await save(room, "base");
    const files = (await api("GET", `/api/v1/rooms/${room.roomId}/snapshots/${saved.json.id}`, { token: room.owner.token })).json.files;
    const contents = (doc: Y.Doc) => listFiles(doc).map((f) => ({ path: f.path, content: f.content }));
    expect(files).toEqual(contents(a.doc));

    // The editor changes the file and adds one.
    setText(b.doc, files[0].path, "edited\n");
    b.doc.transact(() => addFile(b.doc, "new.py", "n = 1\n"));
    const edited = contents(b.doc);
    await eventually("everyone sees the edits", () => JSON.stringify(contents(a.doc)) === JSON.stringify(edited) && contents(v.doc).length === 2);

    // A viewer's client that restores anyway: nobody else sees it (the marker comes after it).
    restoreFiles(v.doc, files, {});
    b.doc.transact(() => foldersOf(b.doc).set("marker", true));
    await eventually("the owner sees the editor's marker", () => foldersOf(a.doc).has("marker"));
    expect(contents(a.doc)).toEqual(edited);

    // The editor restores: everyone has the snapshot's files, and the room server stored them.
    const origin = {};
    const undo = restoreUndoManager(b.doc, origin);
    expect(restoreFiles(b.doc, files, origin)).toEqual({ added: 0, removed: 1, changed: 1 });
    await eventually("the owner sees the restore", () => JSON.stringify(contents(a.doc)) === JSON.stringify(files));
    const fresh = connect("owner");
    await fresh.synced;
    expect(contents(fresh.doc)).toEqual(files);

    // Undo restore: the edits are back for everyone.
    undo.undo();
    await eventually("the owner sees the undo", () => JSON.stringify(contents(a.doc)) === JSON.stringify(edited));
    await eventually("a fresh connection sees the undo", () => JSON.stringify(contents(fresh.doc)) === JSON.stringify(edited));
  });
});

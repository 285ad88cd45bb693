import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import type * as Y from "yjs";
import { createDatabase } from "../../lib/db/client";
import { LeaseCounter } from "../../lib/redis/leases";
import { addFile } from "../../lib/rooms/document";
import { snapshotContent } from "../../lib/rooms/snapshots/content";
import { compareFiles } from "../../lib/rooms/snapshots/diff";
import { takeManualSnapshot } from "../../lib/rooms/snapshots/take";
import { api } from "../support/api";
import { connectRoom, eventually, type RoomClient, roomToken, roomWithMembers } from "../support/rooms";

/**
 * A room's snapshots (lib/rooms/snapshots, /api/v1/rooms/:id/snapshots) as
 * members and strangers who mean harm use them: another room's snapshot under
 * my room, viewers writing, saves racing the limits, huge names, costly
 * answers (a snapshot whose JSON is far larger than its text, reads piling up,
 * pathological diffs).
 */
type Room = Awaited<ReturnType<typeof roomWithMembers>>;
const db = createDatabase(inject("databaseUrl"));
const redis = new Redis(inject("redisUrl"));
const clients: RoomClient[] = [];

afterAll(async () => {
  for (const c of clients) c.destroy();
  await db.$disconnect();
  redis.disconnect();
});

async function editorDoc(r: Room): Promise<Y.Doc> {
  const client = connectRoom(r.roomId, () => roomToken(r.roomId, r.editor));
  clients.push(client);
  await client.synced;
  return client.doc;
}

/** Adds files through an editor's socket and waits until the web app reads them from the room. */
async function withFiles(r: Room, files: Array<{ path: string; content: string }>): Promise<void> {
  const doc = await editorDoc(r);
  for (const f of files) doc.transact(() => addFile(doc, f.path, f.content));
  await eventually(
    "the room's files reach the web app",
    async () => {
      const saved = await api("POST", `/api/v1/rooms/${r.roomId}/snapshots`, { token: r.owner.token, body: { name: "probe" } });
      if (saved.status !== 201) return false;
      await api("DELETE", `/api/v1/rooms/${r.roomId}/snapshots/${saved.json.id}`, { token: r.owner.token });
      return saved.json.bytes >= files.reduce((n, f) => n + f.content.length, 0);
    },
    30_000,
  );
}

const save = (r: Room, name: unknown, who: "owner" | "editor" | "viewer" = "owner") =>
  api("POST", `/api/v1/rooms/${r.roomId}/snapshots`, { token: r[who].token, body: { name } });

describe("snapshots of another room, and members who may not write", () => {
  it("another room's snapshot id under my room is not found, for reading, comparing and deleting", async () => {
    const mine = await roomWithMembers();
    const theirs = await roomWithMembers();
    const secret = await save(theirs, "their secret");
    expect(secret.status).toBe(201);
    // The owner of `mine` (and, for the deletes, the owner of `theirs` under the wrong room id).
    for (const [path, method] of [
      ["", "GET"],
      ["/diff", "GET"],
      ["", "DELETE"],
    ] as const) {
      for (const token of [mine.owner.token, mine.viewer.token, theirs.owner.token]) {
        const res = await api(method, `/api/v1/rooms/${mine.roomId}/snapshots/${secret.json.id}${path}`, { token });
        // theirs.owner is no member of `mine`: the room itself is not found.
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(["snapshot_not_found", "not_found"]).toContain(res.json.error.code);
        expect(res.text).not.toContain("their secret");
      }
    }
    const listed = await api("GET", `/api/v1/rooms/${mine.roomId}/snapshots`, { token: mine.owner.token });
    expect(listed.json.snapshots).toEqual([]);
    expect(await db.roomSnapshot.count({ where: { id: secret.json.id } })).toBe(1);
  });

  it("viewers cannot save or delete, not even a snapshot they saved while they were editors", async () => {
    const room = await roomWithMembers();
    const own = await save(room, "mine while editing", "editor");
    expect(own.status).toBe(201);
    const demoted = await api("PATCH", `/api/v1/rooms/${room.roomId}/members/${room.editor.id}`, { token: room.owner.token, body: { role: "viewer" } });
    expect(demoted.status).toBe(200);
    const again = await save(room, "as a viewer", "editor");
    expect(again.status).toBe(403);
    expect(again.json.error.code).toBe("forbidden");
    const del = await api("DELETE", `/api/v1/rooms/${room.roomId}/snapshots/${own.json.id}`, { token: room.editor.token });
    expect(del.status).toBe(403);
    expect(await db.roomSnapshot.count({ where: { roomId: room.roomId } })).toBe(1);
    // Strangers learn nothing, whatever they ask.
    for (const [method, path] of [
      ["GET", ""],
      ["POST", ""],
      ["GET", `/${own.json.id}`],
      ["DELETE", `/${own.json.id}`],
      ["GET", `/${own.json.id}/diff`],
    ] as const) {
      const res = await api(method, `/api/v1/rooms/${room.roomId}/snapshots${path}`, {
        token: room.outsider.token,
        body: method === "POST" ? { name: "x" } : undefined,
      });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.json.error.code).toBe("not_found");
    }
  });

  it("huge and tricky names are refused before anything is read; 80 characters of any script are kept whole", async () => {
    const room = await roomWithMembers();
    for (const name of ["x".repeat(1_000_000), "😀".repeat(81), ["a"], { toString: "x" }, "a\u0000b", "\u200f"]) {
      const res = await save(room, name);
      expect([400, 413], typeof name === "string" ? name.slice(0, 10) : JSON.stringify(name)).toContain(res.status);
    }
    for (const name of ["é".repeat(80), "😀".repeat(41)]) {
      const res = await save(room, name);
      expect(res.status).toBe(201);
      expect(res.json.name).toBe(name);
    }
    expect(await db.roomSnapshot.count({ where: { roomId: room.roomId } })).toBe(2);
  });
});

describe("saves racing the room's limits", () => {
  it("thirty saves at once keep to the count and the byte quota", async () => {
    const room = await roomWithMembers();
    const content = snapshotContent([{ path: "a.py", content: "x".repeat(1000) }]);
    const byCount = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        takeManualSnapshot(db, { roomId: room.roomId, userId: room.owner.id, name: `n${i}`, content }, { runs: 20, manual: 5, bytes: 1 << 30 }),
      ),
    );
    expect(byCount.filter((r) => r.status === "fulfilled")).toHaveLength(5);
    for (const r of byCount) if (r.status === "rejected") expect(r.reason).toMatchObject({ status: 409, code: "too_many_snapshots" });

    const other = await roomWithMembers();
    const byBytes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        takeManualSnapshot(db, { roomId: other.roomId, userId: other.owner.id, name: `n${i}`, content }, { runs: 20, manual: 100, bytes: 3 * content.bytes }),
      ),
    );
    expect(byBytes.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    for (const r of byBytes) if (r.status === "rejected") expect(r.reason).toMatchObject({ status: 409, code: "snapshot_quota" });
    const stored = await db.roomSnapshot.aggregate({ where: { roomId: other.roomId }, _sum: { bytes: true } });
    expect(stored._sum.bytes).toBe(3 * content.bytes);
  });
});

describe("answers that cost more than the quota says", () => {
  /**
   * The quota counted the UTF-8 of the texts, while a snapshot is stored and
   * served as JSON, where a control character takes six bytes ("\u0001"). A
   * room of 14 MiB of them saved as one snapshot within the 16 MiB quota and
   * was served as 84 MiB: one read took 5 s and 500 MB of the web process,
   * twelve at once by one viewer 2.5 GB. Counted as JSON, a snapshot is
   * never served larger than the quota.
   */
  it("a snapshot of control characters counts the bytes it is served as", async () => {
    const room = await roomWithMembers();
    const text = "\u0001".repeat(64 * 1024);
    await withFiles(room, [{ path: "a.txt", content: text }]);
    const saved = await save(room, "escapes");
    expect(saved.status).toBe(201);
    const read = await api("GET", `/api/v1/rooms/${room.roomId}/snapshots/${saved.json.id}`, { token: room.viewer.token });
    expect(read.status).toBe(200);
    expect(read.json.files[0].content).toBe(text);
    expect(saved.json.bytes).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify(read.json.files)));
    // The quota holds against it: with room for the text but not for its JSON, the save is refused.
    const content = snapshotContent([{ path: "a.txt", content: text }]);
    await expect(
      takeManualSnapshot(
        db,
        { roomId: room.roomId, userId: room.owner.id, name: "x", content },
        { runs: 20, manual: 20, bytes: saved.json.bytes + text.length * 2 },
      ),
    ).rejects.toMatchObject({ status: 409, code: "snapshot_quota" });
  });

  /**
   * Reading a snapshot (up to the room's quota) costs the web process several
   * times its size while it is parsed and answered, and had no bound: one
   * viewer's dozen reads at once held them all. The diff route read the whole
   * snapshot before it asked for the lease, so each refused request had
   * loaded one first. Both now share the user's lease for reads of a room's
   * files (two at once, as runs), taken before anything is read.
   */
  it("reading or comparing a snapshot waits for the member's lease on room reads", async () => {
    const room = await roomWithMembers();
    const saved = await save(room, "base");
    expect(saved.status).toBe(201);
    const leases = new LeaseCounter(redis, "sam:room-snapshots");
    const held = [await leases.acquire(room.viewer.id, 2), await leases.acquire(room.viewer.id, 2)];
    try {
      for (const path of ["", "/diff"]) {
        const res = await api("GET", `/api/v1/rooms/${room.roomId}/snapshots/${saved.json.id}${path}`, { token: room.viewer.token });
        expect(res.status, path).toBe(429);
        expect(res.json.error.code).toBe("rate_limited");
        expect(res.headers.get("retry-after")).toBe("1");
      }
    } finally {
      for (const lease of held) await lease?.release();
    }
    for (const path of ["", "/diff"]) {
      expect((await api("GET", `/api/v1/rooms/${room.roomId}/snapshots/${saved.json.id}${path}`, { token: room.viewer.token })).status).toBe(200);
    }
  });

  it("a pathological diff (large files with no line in common, many files) is answered, bounded", async () => {
    const room = await roomWithMembers();
    const lines = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${tag}${i}`).join("\n");
    const before = [
      { path: "big.txt", content: lines("a", 12_000) },
      ...Array.from({ length: 40 }, (_, i) => ({ path: `f${i}.txt`, content: lines(`x${i}-`, 500) })),
    ];
    await withFiles(room, before);
    const content = snapshotContent(before.map((f) => ({ path: f.path, content: f.path === "big.txt" ? lines("b", 12_000) : lines(`y${f.path}`, 500) })));
    const snap = await takeManualSnapshot(db, { roomId: room.roomId, userId: room.owner.id, name: "nothing in common", content });
    const diff = await api("GET", `/api/v1/rooms/${room.roomId}/snapshots/${snap.id}/diff`, { token: room.viewer.token });
    expect(diff.status).toBe(200);
    // The room's starting file is there too (added since the snapshot).
    const changed = diff.json.changes.filter((c: { status: string }) => c.status === "changed");
    expect(changed.map((c: { path: string }) => c.path).sort()).toEqual(before.map((f) => f.path).sort());
    // No line diff where the two sides have over 400 differing lines: each file is listed, none is diffed line by line.
    expect(changed.every((c: { lines: unknown }) => c.lines === null)).toBe(true);
    expect(diff.text.length).toBeLessThan(64 * 1024);
  });

  /**
   * Any member may ask for a comparison as often as they like, and it runs in
   * the web process's only thread. Myers' diff costs about lines x differences:
   * files of one repeated line with ~400 lines added (just under the edit
   * bound) are the worst. With 1 Mi characters diffed per comparison, four
   * such files of 128 Ki held the thread 120-340 ms per request; the budget
   * is now 256 Ki, one such file. (No timing is asserted: the bound is.)
   */
  it("one comparison line-diffs at most 256 Ki characters, however many costly files changed", () => {
    const repeated = "a\n".repeat(64_000).slice(0, 131_000);
    const out: string[] = [];
    for (let i = 0; i < 64_000; i++) out.push(i % 162 === 0 ? "a\nb" : "a");
    const added = `${out.join("\n")}\n`.slice(0, 131_000);
    const files = (content: string) => Array.from({ length: 8 }, (_, i) => ({ path: `f${i}.txt`, content }));
    const changes = compareFiles(files(repeated), files(added));
    expect(changes).toHaveLength(8);
    const diffed = changes.filter((c) => c.lines !== null);
    // Each is a real line diff (under the edit bound), and together they stay within the budget.
    expect(diffed.length).toBeGreaterThan(0);
    expect(diffed.length * (repeated.length + added.length)).toBeLessThanOrEqual(256 * 1024);
  });
});

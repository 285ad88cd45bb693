import { randomBytes } from "node:crypto";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { zipEntries } from "../../lib/archive/zip-reader";
import { ARCHIVE_DOWNLOAD_LIMIT } from "../../lib/rooms/archive/download-limit";
import { roomZip } from "../../lib/rooms/archive/zip-export";
import { api, registerUser } from "../support/api";
import { roomWithMembers } from "../support/rooms";
import { downloadArchive, importZip, zipOf } from "../support/room-zips";

/**
 * GET /api/v1/rooms/:id/archive zips a room in the web process, for any
 * member, as often as they ask. What it must not do: hand a room to someone
 * outside it (signed out, a stranger, an id that is not a room's), let the
 * room's name (chosen by its owner) write the response's headers, or hold the
 * web process's one JavaScript thread while it compresses a full room.
 */
const healthy = async () => expect((await api("GET", "/api/v1/health?scope=web")).status).toBe(200);

describe("attack: a full room zipped again and again", () => {
  it("compresses off the web process's thread, so other requests are answered meanwhile", { timeout: 60_000 }, async () => {
    // What an editor can fill a room with (16 MiB, SAM_COLLAB_MAX_DOCUMENT_KB): text that compresses badly.
    const files = Array.from({ length: 16 }, (_, i) => ({ id: String(i), path: `f${i}.txt`, content: randomBytes(768 * 1024).toString("base64") }));
    // Counts turns of the event loop while the zip is made. fflate's zipSync made it in one synchronous
    // stretch (about a second of the only thread): no other request, timer or socket was served until it ended.
    let turns = 0;
    let counting = true;
    const count = () => {
      turns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const zip = await roomZip("Full room", files);
    counting = false;
    expect(turns).toBeGreaterThan(0);
    const unpacked = unzipSync(zip.bytes);
    expect(Object.keys(unpacked).length).toBe(16);
    expect(Buffer.from(unpacked["Full-room/f3.txt"]!).toString()).toBe(files[3]!.content);
    // The room import's own reader takes it back (entries with data descriptors, sizes in the directory).
    const entries = zipEntries(zip.bytes, 100);
    expect(Buffer.from(entries.find((e) => e.name === "Full-room/f7.txt")!.read()).toString()).toBe(files[7]!.content);
  });
});

describe("attack: a member asking for the zip again the moment it came", () => {
  it("is refused 429 past the minute's allowance, as runs are, though one at a time never passes the lease", { timeout: 60_000 }, async () => {
    // Each download makes collab serialize the whole room and send it through Redis: a viewer who came through a
    // share link could ask for a full room back to back for ever (the lease bounds only two at once).
    const { roomId, viewer } = await roomWithMembers();
    for (let i = 0; i < ARCHIVE_DOWNLOAD_LIMIT.perUser; i++) expect((await downloadArchive(roomId, viewer.token)).status).toBe(200);
    const refused = await downloadArchive(roomId, viewer.token);
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe("rate_limited");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});

describe("attack: fetching a room's zip from outside it", () => {
  it("answers 401 signed out and 404 to a stranger, to another room's owner and for ids that are no room", async () => {
    const { roomId, outsider } = await roomWithMembers();
    expect((await downloadArchive(roomId)).status).toBe(401);
    const stranger = await downloadArchive(roomId, outsider.token);
    expect(stranger.status).toBe(404);
    expect(stranger.bytes.length).toBeLessThan(1024);
    // An owner of another room, asking for this one.
    const other = await registerUser();
    expect((await api("POST", "/api/v1/rooms", { token: other.token, body: { name: "Mine", language: "python" } })).status).toBe(201);
    expect((await downloadArchive(roomId, other.token)).status).toBe(404);
    for (const id of ["not-a-uuid", "00000000-0000-0000-0000-000000000000", `${roomId}%00`, "..%2F..%2Fhealth", roomId.toUpperCase()]) {
      const res = await downloadArchive(id, outsider.token);
      expect({ id, status: res.status, type: res.headers.get("content-type") }).toEqual({ id, status: 404, type: expect.stringContaining("json") });
    }
    await healthy();
  });

  it("gives a viewer the zip, never to be cached on the way", async () => {
    const { roomId, viewer } = await roomWithMembers();
    const res = await downloadArchive(roomId, viewer.token);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });
});

describe("attack: a room's name written into the response's headers", () => {
  it("keeps the file name to letters, digits, '.', '-' and '_', whatever the owner named the room", async () => {
    const user = await registerUser();
    const names = [
      "a\"; filename*=UTF-8''evil.exe; x=\"",
      "..\\..\\windows\\evil",
      "rapport\u202egnp.exe",
      "../../etc/passwd",
      "ünïcödé ﬁle 名前",
      "%0d%0aSet-Cookie: x=1",
      "....",
    ];
    for (const name of names) {
      const made = await importZip(zipOf({ "main.py": new TextEncoder().encode("print(1)\n") }), { token: user.token, name });
      if (made.status !== 201) continue; // a name the room rules refuse is not the zip's concern
      const res = await downloadArchive(made.json.room.id, user.token);
      expect(res.status).toBe(200);
      const disposition = res.headers.get("content-disposition")!;
      expect({ name, disposition }).toEqual({ name, disposition: expect.stringMatching(/^attachment; filename="[A-Za-z0-9._-]+\.zip"$/) });
      expect(res.headers.get("set-cookie")).toBeNull();
      // Every entry sits in that one folder: unpacking it never writes beside it.
      const folder = disposition.slice('attachment; filename="'.length, -'.zip"'.length);
      for (const entry of Object.keys(unzipSync(res.bytes))) expect(entry.startsWith(`${folder}/`)).toBe(true);
      await api("DELETE", `/api/v1/rooms/${made.json.room.id}`, { token: user.token });
    }
  });
});

import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { createFile } from "../../lib/rooms/tree";
import { api, registerUser } from "../support/api";
import { connectRoom, eventually, roomToken, roomWithMembers } from "../support/rooms";
import { downloadArchive, importZip, lyingZip, renamedEntry, zipOf } from "../support/room-zips";

const text = (s: string) => new TextEncoder().encode(s);
const decoded = (entries: Record<string, Uint8Array>) => Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, Buffer.from(v).toString("utf8")]));

/** The files of a room as its archive has them, without the folder named after the room. */
async function roomFiles(roomId: string, token: string): Promise<Record<string, string>> {
  const res = await downloadArchive(roomId, token);
  expect(res.status).toBe(200);
  const files = decoded(unzipSync(res.bytes));
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [k.slice(k.indexOf("/") + 1), v]));
}

describe("GET /api/v1/rooms/:id/archive", () => {
  it("zips the live files for any member, viewers too; strangers get 404 and no sign-in 401", async () => {
    const { roomId, editor, viewer, outsider } = await roomWithMembers();
    const client = connectRoom(roomId, () => roomToken(roomId, editor));
    try {
      await client.synced;
      expect(createFile(client.doc, "src/util.py", "def f():\n    return 'é'\n")).toBeUndefined();
      // Live: the edit is in the zip while the room is open, before anything was stored.
      await eventually("the new file in the viewer's zip", async () => "src/util.py" in (await roomFiles(roomId, viewer.token)));
    } finally {
      client.destroy();
    }
    const res = await downloadArchive(roomId, viewer.token);
    expect(res.headers.get("content-type")).toBe("application/zip");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="Test-room.zip"');
    const files = decoded(unzipSync(res.bytes));
    expect(Object.keys(files).sort()).toEqual(["Test-room/main.py", "Test-room/src/util.py"]);
    expect(files["Test-room/src/util.py"]).toBe("def f():\n    return 'é'\n");

    const stranger = await downloadArchive(roomId, outsider.token);
    expect(stranger.status).toBe(404);
    expect(stranger.json.error.code).toBe("not_found");
    const anonymous = await downloadArchive(roomId);
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.error.code).toBe("unauthorized");
  });
});

describe("POST /api/v1/rooms/import", () => {
  it("makes a room of the zip's text files, stripping one wrapping folder and skipping binary and oversized files", async () => {
    const user = await registerUser();
    const zip = zipOf({
      "project-main": {},
      "project-main/main.py": text('print("imported")\n'),
      "project-main/src/lib.py": text("X = 1\n"),
      "project-main/empty": {},
      "project-main/logo.png": new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]),
      "project-main/latin1.txt": new Uint8Array([0x63, 0x61, 0x66, 0xe9]),
      "project-main/data/big.txt": text("x".repeat(1024 * 1024 + 1)),
    });
    const res = await importZip(zip, { token: user.token, name: "From a zip" });
    expect(res.status).toBe(201);
    expect(res.json.room.role).toBe("owner");
    expect(res.json.files).toBe(2);
    expect(res.json.skipped.map((s: { reason: string }) => s.reason).sort()).toEqual([
      "data/big.txt is too large (1.0 MiB); a room file may be at most 1.0 MiB",
      "latin1.txt is binary; rooms hold text files only",
      "logo.png is binary; rooms hold text files only",
    ]);
    const roomId = res.json.room.id as string;
    expect(await roomFiles(roomId, user.token)).toEqual({ "main.py": 'print("imported")\n', "src/lib.py": "X = 1\n" });
    // Folders the zip lists are kept in the room's tree, even empty (the others come from the files' paths).
    const client = connectRoom(roomId, () => roomToken(roomId, user));
    try {
      await client.synced;
      expect([...client.doc.getMap("folders").keys()].sort()).toEqual(["empty"]);
    } finally {
      client.destroy();
    }
    const listed = await api("GET", "/api/v1/rooms", { token: user.token });
    expect(listed.json.rooms.map((r: { name: string }) => r.name)).toContain("From a zip");
  });

  it("keeps the top folder when there is more than one thing at the top, and round-trips a room's own zip", async () => {
    const { roomId, owner } = await roomWithMembers();
    const exported = await downloadArchive(roomId, owner.token);
    const back = await importZip(exported.bytes, { token: owner.token, name: "Round trip" });
    expect(back.status).toBe(201);
    expect(Object.keys(await roomFiles(back.json.room.id, owner.token))).toEqual(["main.py"]);

    const flat = await importZip(zipOf({ "a/one.py": text("1\n"), "b.py": text("2\n") }), { token: owner.token, name: "Flat" });
    expect(flat.status).toBe(201);
    expect(Object.keys(await roomFiles(flat.json.room.id, owner.token)).sort()).toEqual(["a/one.py", "b.py"]);
  });

  it("answers 401 without sign-in, before reading the zip", async () => {
    const res = await importZip(zipOf({ "a.py": text("1\n") }), { name: "x" });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe("unauthorized");
  });

  it("refuses every bad zip whole, with a code and a message naming what to fix, and makes no room", async () => {
    const user = await registerUser();
    const deep = `${Array.from({ length: 33 }, (_, i) => `d${i}`).join("/")}/x.py`;
    const cases: Array<{ what: string; body: Uint8Array | string; name?: string; language?: string; status: number; code: string; message: RegExp }> = [
      { what: "no name", body: zipOf({ "a.py": text("1") }), name: undefined, status: 400, code: "invalid_request", message: /name/ },
      { what: "an unknown language", body: zipOf({ "a.py": text("1") }), language: "cobol-9000", status: 400, code: "unknown_language", message: /cobol/ },
      { what: "not a zip", body: "just some text", status: 400, code: "invalid_zip", message: /not a zip/ },
      { what: "an empty body", body: "", status: 400, code: "invalid_zip", message: /not a zip/ },
      { what: "a broken zip", body: zipOf({ "a.py": text("1") }).slice(0, 40), status: 400, code: "invalid_zip", message: /not a zip that can be read/ },
      { what: "a climbing name", body: zipOf({ "../evil.py": text("1") }), status: 400, code: "zip_unsafe_path", message: /evil\.py/ },
      { what: "an absolute name", body: zipOf({ "/etc/cron.d/x": text("1") }), status: 400, code: "zip_unsafe_path", message: /cron/ },
      { what: "a backslash name", body: zipOf({ "a\\..\\..\\b.py": text("1") }), status: 400, code: "zip_unsafe_path", message: /b\.py/ },
      {
        what: "a symbolic link",
        body: zipOf({ "ok.py": text("1"), link: [text("/etc/passwd"), { os: 3, attrs: (0o120777 << 16) >>> 0 }] }),
        status: 400,
        code: "zip_symlink",
        message: /"link", a symbolic link/,
      },
      {
        what: "a path twice",
        body: renamedEntry(zipOf({ "a.py": text("1"), "b.py": text("2") }), "b.py", "a.py"),
        status: 400,
        code: "zip_duplicate_path",
        message: /"a\.py" twice/,
      },
      {
        what: "a file used as a folder",
        body: zipOf({ x: text("1"), "x/y.py": text("2"), z: text("3") }),
        status: 400,
        code: "zip_duplicate_path",
        message: /"x"/,
      },
      { what: "a path too deep", body: zipOf({ [deep]: text("1"), "b.py": text("2") }), status: 400, code: "zip_bad_path", message: /32 folders deep/ },
      {
        what: "a name part too long",
        body: zipOf({ [`${"n".repeat(256)}.py`]: text("1"), "b.py": text("2") }),
        status: 400,
        code: "zip_bad_path",
        message: /at most 255/,
      },
      { what: "a dot part", body: zipOf({ "a/./b.py": text("1"), "c.py": text("2") }), status: 400, code: "zip_bad_path", message: /'\.'/ },
      {
        what: "too many files",
        body: zipOf(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`f${i}.py`, text("1")]))),
        status: 400,
        code: "zip_too_many_files",
        message: /101 text files; a room holds at most 100/,
      },
      { what: "only folders", body: zipOf({ a: {}, "a/b": {} }), status: 400, code: "zip_no_files", message: /no text file/ },
      { what: "only binary files", body: zipOf({ "a.bin": new Uint8Array([0, 1, 2]) }), status: 400, code: "zip_no_files", message: /a\.bin is binary/ },
      {
        what: "too much text",
        body: zipOf(Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`f${i}.txt`, text("y".repeat(1_000_000))]))),
        status: 413,
        code: "zip_too_large",
        message: /more than 4\.0 MiB/,
      },
      {
        what: "a header understating its entry",
        body: lyingZip(4, 1, 10),
        status: 413,
        code: "zip_too_large",
        message: /more than the 10 bytes its header says/,
      },
      {
        what: "too many entries",
        body: zipOf(Object.fromEntries(Array.from({ length: 2001 }, (_, i) => [`d${i}`, {}]))),
        status: 413,
        code: "zip_too_many_entries",
        message: /more than 2000 entries/,
      },
      { what: "a body past 8 MiB", body: new Uint8Array(8 * 1024 * 1024 + 1), status: 413, code: "payload_too_large", message: /at most 8388608 bytes/ },
    ];
    for (const c of cases) {
      const res = await importZip(c.body, { token: user.token, name: "name" in c ? c.name : "Bad", language: c.language });
      expect({ what: c.what, status: res.status, code: res.json.error?.code }).toEqual({ what: c.what, status: c.status, code: c.code });
      expect(res.json.error.message, c.what).toMatch(c.message);
    }
    const listed = await api("GET", "/api/v1/rooms", { token: user.token });
    expect(listed.json.rooms).toEqual([]);
  });
});

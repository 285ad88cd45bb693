import zlib from "node:zlib";
import { unzipSync, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { IMPORT_LIMIT } from "../../lib/rooms/archive/import-limit";
import { roomFilesFromZip } from "../../lib/rooms/archive/zip-import";
import { api, registerUser } from "../support/api";
import { downloadArchive, importZip } from "../support/room-zips";

/**
 * POST /api/v1/rooms/import, with zips no archiver writes: the directory and
 * the local headers disagreeing, a fake end record hidden in the comment,
 * zip64 markers, broken deflate streams, other methods, encryption, names too
 * long or too deep. Each is refused whole (a 4xx, never a 500), makes no room,
 * and leaves the web process answering; a zip that is taken holds only the
 * names its central directory gives, inside the room.
 */
interface RawEntry {
  name: string;
  /** The name in the local header, when it lies about the directory's. */
  localName?: string;
  data: Uint8Array;
  method?: number;
  /** Uncompressed size as declared (defaults to data's length for stored entries). */
  size?: number;
  flags?: number;
}

/** A zip written by hand, so every field can lie. */
function rawZip(entries: RawEntry[], opts: { comment?: Uint8Array; count?: number } = {}): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const localName = Buffer.from(e.localName ?? e.name);
    const method = e.method ?? 0;
    const size = e.size ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE((e.flags ?? 0) | 0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(size >>> 0, 22);
    local.writeUInt16LE(localName.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE((e.flags ?? 0) | 0x800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(size >>> 0, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, localName, Buffer.from(e.data));
    centrals.push(central, name);
    offset += 30 + localName.length + e.data.length;
  }
  const directory = Buffer.concat(centrals);
  const comment = Buffer.from(opts.comment ?? new Uint8Array());
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(opts.count ?? entries.length, 8);
  end.writeUInt16LE(opts.count ?? entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(comment.length, 20);
  return new Uint8Array(Buffer.concat([...locals, directory, end, comment]));
}

const text = (s: string) => new TextEncoder().encode(s);
const ok = (name = "main.py"): RawEntry => ({ name, data: text("print(1)\n") });
const rooms = async (token: string) => (await api("GET", "/api/v1/rooms", { token })).json.rooms as unknown[];
const healthy = async () => expect((await api("GET", "/api/v1/health?scope=web")).status).toBe(200);

describe("attack: zips whose records disagree", () => {
  it("names files by the central directory, never by a local header that climbs out", async () => {
    const user = await registerUser();
    const res = await importZip(rawZip([{ ...ok("fine.py"), localName: "../../../etc/cron.d/x" }]), { token: user.token, name: "mismatch" });
    expect(res.status).toBe(201);
    const zip = await downloadArchive(res.json.room.id, user.token);
    expect(Object.keys(unzipSync(zip.bytes))).toEqual(["mismatch/fine.py"]);
  });

  it("reads a fake end record hidden in the comment with the same checks as a real one", async () => {
    const user = await registerUser();
    // The comment holds a whole second zip whose directory names "../evil.py": the reader finds its end record first.
    const evil = rawZip([ok("../evil.py")]);
    const res = await importZip(rawZip([ok()], { comment: evil }), { token: user.token, name: "comment" });
    expect(res.status).toBe(400);
    expect(["invalid_zip", "zip_unsafe_path"]).toContain(res.json.error.code);
    expect(await rooms(user.token)).toEqual([]);
  });

  it("refuses zip64 markers, lying counts and directories past the end with a 4xx, never a 500", async () => {
    const user = await registerUser();
    const cases: Array<[string, Uint8Array]> = [
      ["zip64 size", rawZip([{ name: "big.py", data: text("x"), size: 0xffffffff }])],
      ["zip64 count", rawZip([ok()], { count: 0xffff })],
      ["count above the entries", rawZip([ok()], { count: 5 })],
      ["truncated", rawZip([ok(), ok("b.py")]).slice(0, 60)],
      ["broken deflate", rawZip([{ name: "a.py", data: new Uint8Array([0xff, 0xff, 0xff, 0xff]), method: 8, size: 10 }])],
      ["bzip2", rawZip([{ name: "a.py", data: text("BZh9"), method: 12, size: 4 }])],
      ["encrypted", rawZip([{ ...ok(), flags: 1 }])],
      ["stored size lies", rawZip([{ name: "a.py", data: text("print(1)\n"), size: 3 }])],
      ["empty", rawZip([])],
    ];
    for (const [what, zip] of cases) {
      const res = await importZip(zip, { token: user.token, name: "broken" });
      expect({ what, status: res.status >= 400 && res.status < 500 ? "4xx" : res.status }).toEqual({ what, status: "4xx" });
    }
    expect(await rooms(user.token)).toEqual([]);
    await healthy();
  });

  it("refuses a deflated entry that inflates past its declared size", async () => {
    const user = await registerUser();
    const bomb = new Uint8Array(zlib.deflateRawSync(Buffer.alloc(8 * 1024 * 1024, 0x61)));
    const res = await importZip(rawZip([ok(), { name: "a.py", data: bomb, method: 8, size: 1000 }]), { token: user.token, name: "bomb" });
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe("zip_too_large");
    expect(await rooms(user.token)).toEqual([]);
  });
});

describe("attack: names a room cannot hold", () => {
  it("refuses names too long, too deep, dots alone, or that show as other names, and makes no room", async () => {
    const user = await registerUser();
    const names = [
      `${"a".repeat(300)}.py`,
      `${"d/".repeat(40)}x.py`,
      "a/./b.py",
      "a//b.py",
      ".",
      `${"é".repeat(200)}.py`,
      `${"x".repeat(60_000)}`,
      // Names that show as others in the tree every member sees (as room names may not), and a terminal escape.
      "invoice\u202Etxt.py",
      "a\nb.py",
      "\u001b[31mred.py",
      "src\u2066/x.py",
    ];
    for (const name of names) {
      const res = await importZip(rawZip([ok(), ok(name)]), { token: user.token, name: "names" });
      expect({ name: name.slice(0, 40), status: res.status }).toEqual({ name: name.slice(0, 40), status: 400 });
    }
    expect(await rooms(user.token)).toEqual([]);
    await healthy();
  });

  it("refuses a path that is a file and a folder at once, in either order", async () => {
    const user = await registerUser();
    for (const entries of [
      [ok("a"), ok("a/b.py")],
      [ok("a/b.py"), ok("a")],
      [{ name: "a/", data: new Uint8Array() }, ok("a")],
    ]) {
      const res = await importZip(rawZip(entries), { token: user.token, name: "both" });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe("zip_duplicate_path");
    }
    expect(await rooms(user.token)).toEqual([]);
  });
});

describe("attack: a few KiB that inflate to megabytes, again and again", () => {
  /** 18 KiB that inflate to the 16 MiB the import reads: twelve binary files (read to tell that they are binary) and 4 MiB of text. */
  function smallBomb(): Uint8Array {
    const entries: Record<string, Uint8Array> = {};
    for (let i = 0; i < 12; i++) {
      const binary = new Uint8Array(1024 * 1024).fill(0x61);
      binary[binary.length - 1] = 0;
      entries[`bin${i}.txt`] = binary;
    }
    for (let i = 0; i < 4; i++) entries[`text${i}.txt`] = new Uint8Array(1024 * 1024 - 16).fill(0x61);
    return zipSync(entries, { level: 9 });
  }

  it("inflates off the web process's thread, so other requests are answered meanwhile", async () => {
    const zip = smallBomb();
    expect(zip.length).toBeLessThan(64 * 1024);
    // Counts turns of the event loop while the zip is read. Read with read() (zlib's sync inflate), the whole
    // 16 MiB was decoded in one synchronous stretch (hundreds of ms here): nothing else was served meanwhile.
    let turns = 0;
    let counting = true;
    const count = () => {
      turns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const content = await roomFilesFromZip(zip);
    counting = false;
    expect(turns).toBeGreaterThan(0);
    expect(content.files.length).toBe(4);
    expect(content.skipped.length).toBe(12);
  });

  it("refuses imports past the minute's allowance, refused ones counted too", { timeout: 60_000 }, async () => {
    const user = await registerUser();
    for (let i = 0; i < IMPORT_LIMIT.perUser; i++) {
      const res = await importZip("not a zip", { token: user.token, name: "again" });
      expect(res.status).toBe(400);
    }
    const refused = await importZip(smallBomb(), { token: user.token, name: "again" });
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe("rate_limited");
    expect(await rooms(user.token)).toEqual([]);
  });
});

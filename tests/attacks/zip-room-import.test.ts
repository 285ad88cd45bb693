import net from "node:net";
import { describe, expect, it } from "vitest";
import { api, registerUser, uniqueIp, webUrl } from "../support/api";
import { importZip, lyingZip, zipOf } from "../support/room-zips";

/**
 * POST /api/v1/rooms/import unpacks a stranger's zip in the web process (any
 * account may make rooms). What it must not do: decode more than its limits
 * whatever the headers say (a lying header over 256 MiB of zeros, 200
 * directory entries sharing it), inflate without end through many entries
 * that are each allowed, write a name that climbs out of the room, or read a
 * body without end (signed out, or past its size). Each case would hold the
 * only thread of the web process for minutes, or its memory: the tests'
 * timeouts catch that, and the server must answer the next request.
 */
const rooms = async (token: string) => (await api("GET", "/api/v1/rooms", { token })).json.rooms as unknown[];
const healthy = async () => expect((await api("GET", "/api/v1/health?scope=web")).status).toBe(200);

/** Sends a request head and `chunks` of a chunked body without ever ending it; resolves with the response's first line. */
function unfinishedUpload(head: Record<string, string>, chunks: number, chunkBytes: number): Promise<string> {
  const url = new URL(webUrl());
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => {
      const lines = Object.entries({ Host: url.host, "X-Forwarded-For": uniqueIp(), "Content-Type": "application/zip", ...head }).map(([k, v]) => `${k}: ${v}`);
      socket.write(`POST /api/v1/rooms/import?name=bomb&language=python HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`);
      const chunk = Buffer.concat([Buffer.from(`${chunkBytes.toString(16)}\r\n`), Buffer.alloc(chunkBytes, 0x61), Buffer.from("\r\n")]);
      let sent = 0;
      const more = () => {
        while (sent < chunks) {
          sent++;
          if (!socket.write(chunk)) return void socket.once("drain", more);
        }
      };
      if (head["Transfer-Encoding"]) more();
    });
    let answer = "";
    socket.on("data", (data) => {
      answer += data.toString("latin1");
      if (answer.includes("\r\n")) {
        resolve(answer.slice(0, answer.indexOf("\r\n")));
        socket.destroy();
      }
    });
    socket.on("error", (err) => (answer ? undefined : reject(err)));
  });
}

describe("attack: zip bombs made into rooms", () => {
  it("refuses a header that understates its entry, shared by 200 entries, without decoding past it", { timeout: 60_000 }, async () => {
    const user = await registerUser();
    const res = await importZip(lyingZip(256, 200, 1), { token: user.token, name: "bomb" });
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe("zip_too_large");
    await healthy();
    expect(await rooms(user.token)).toEqual([]);
  });

  it("skips an entry that honestly declares more than a room file may be, without inflating it", { timeout: 60_000 }, async () => {
    const user = await registerUser();
    const res = await importZip(lyingZip(64, 1, 64 * 1024 * 1024, "huge.txt"), { token: user.token, name: "bomb" });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("zip_no_files");
    expect(res.json.error.message).toContain("huge.txt is too large (64.0 MiB)");
    await healthy();
  });

  it("stops inflating past 16 MiB in all, however many small binary files the zip holds", { timeout: 60_000 }, async () => {
    const user = await registerUser();
    // Binary files are read to tell that they are binary, and do not count as the room's text: only the inflation cap stops them.
    const binary = new Uint8Array(1024 * 1024).fill(0x61);
    binary[0] = 0;
    const res = await importZip(zipOf(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`blob${i}.bin`, binary]))), { token: user.token, name: "bomb" });
    expect(res.status).toBe(413);
    expect(res.json.error.message).toContain("unpacks to more than 16.0 MiB in all");
    await healthy();
  });
});

describe("attack: names that climb out of the room", () => {
  it("refuses the whole zip and makes no room", async () => {
    const user = await registerUser();
    for (const name of ["../../etc/passwd", "/etc/passwd", "C:/Windows/win.ini", "a/../../b.py", "..\\..\\b.py", "a\0.py"]) {
      const res = await importZip(zipOf({ "fine.py": new TextEncoder().encode("1\n"), [name]: new TextEncoder().encode("x") }), {
        token: user.token,
        name: "climb",
      });
      expect({ name, status: res.status, code: res.json.error?.code }).toEqual({ name, status: 400, code: "zip_unsafe_path" });
    }
    expect(await rooms(user.token)).toEqual([]);
  });
});

describe("attack: bodies without end", () => {
  it("answers a signed-out upload 401 without reading its body", async () => {
    expect(await unfinishedUpload({ "Transfer-Encoding": "chunked" }, 4, 64 * 1024)).toMatch(/^HTTP\/1\.1 401/);
  });

  it("answers a declared length past 8 MiB 413 before any of it comes", async () => {
    const user = await registerUser();
    expect(await unfinishedUpload({ Authorization: `Bearer ${user.token}`, "Content-Length": String(1024 * 1024 * 1024) }, 0, 0)).toMatch(/^HTTP\/1\.1 413/);
  });

  it("answers a chunked body 413 once it passes 8 MiB, while it is still coming", { timeout: 60_000 }, async () => {
    const user = await registerUser();
    // 9 MiB sent and the body never ended: a server that read to the end would never answer.
    expect(await unfinishedUpload({ Authorization: `Bearer ${user.token}`, "Transfer-Encoding": "chunked" }, 144, 64 * 1024)).toMatch(/^HTTP\/1\.1 413/);
    await healthy();
    expect(await rooms(user.token)).toEqual([]);
  });
});

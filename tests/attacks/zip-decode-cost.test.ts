import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { ImportError } from "../../lib/classroom/tests/import/errors";
import { readZip } from "../../lib/classroom/tests/import/zip";
import { api, uniqueIp, webUrl } from "../support/api";
import { DAY, db, makeCourse } from "../support/classroom-submissions";

/**
 * A Kattis package (.zip) is unpacked in the web process. fflate's unzipSync
 * inflated each entry into a buffer of the size its header declared, but kept
 * decoding the whole stream past it: a header saying 0 bytes over 256 MiB of
 * zeros (250 KiB compressed) cost seconds of the only thread, and a central
 * directory repeating that entry 200 times (every copy pointing at the same
 * data) minutes, from any account (anyone may make a course). Entries are now
 * inflated no further than their declared size.
 */

/** A zip whose central directory lists `copies` entries, all pointing at one stream of `megabytes` MiB of zeros, each claiming `claimed` bytes. */
function lyingZip(megabytes: number, copies: number, claimed: number): Uint8Array {
  const honest = zipSync({ "data/secret/1.in": new Uint8Array(megabytes * 1024 * 1024) }, { level: 9 });
  const view = new DataView(honest.buffer, honest.byteOffset, honest.byteLength);
  let eocd = honest.length - 22;
  while (view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const cdOffset = view.getUint32(eocd + 16, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const header = honest.slice(cdOffset, cdOffset + cdSize);
  new DataView(header.buffer).setUint32(24, claimed, true);
  const out = new Uint8Array(cdOffset + cdSize * copies + 22);
  out.set(honest.subarray(0, cdOffset));
  for (let i = 0; i < copies; i++) out.set(header, cdOffset + i * cdSize);
  const end = honest.slice(eocd, eocd + 22);
  const endView = new DataView(end.buffer);
  endView.setUint16(8, copies, true);
  endView.setUint16(10, copies, true);
  endView.setUint32(12, cdSize * copies, true);
  out.set(end, cdOffset + cdSize * copies);
  return out;
}

describe("attack: a zip whose headers understate what its entries unpack to", () => {
  it("is refused without decoding the stream past the declared size", () => {
    const zip = lyingZip(256, 1, 0);
    expect(zip.length).toBeLessThan(400_000);
    let error: unknown;
    try {
      readZip(zip);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ImportError);
    expect((error as ImportError).code).toBe("zip_too_large");
  });

  it("does not hold the web process when uploaded as a teacher's tests", async () => {
    // Made first: compressing 256 MiB takes seconds, longer than the server keeps an idle connection open for reuse.
    const zip = lyingZip(256, 200, 1);
    const course = await makeCourse(0);
    const assignment = await db.assignment.create({ data: { courseId: course.id, title: "Bomb", language: "python", dueAt: new Date(Date.now() + DAY) } });
    const started = Date.now();
    const response = await fetch(`${webUrl()}/api/v1/assignments/${assignment.id}/tests/import`, {
      method: "POST",
      headers: { authorization: `Bearer ${course.teacher.token}`, "content-type": "application/zip", "x-forwarded-for": uniqueIp() },
      body: Buffer.from(zip),
    });
    const body = await response.json();
    expect(response.status).toBe(413);
    expect(body.error.code).toBe("zip_too_large");
    // Before: 200 x seconds. Generous for a shared, busy test machine.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await api("GET", "/api/v1/health?scope=web")).status).toBe(200);
    expect(await db.assignmentTest.count({ where: { assignmentId: assignment.id } })).toBe(0);
  });
});

describe("attack: a zip whose entries all point at the same data", () => {
  it("is refused before a second pass over it, however truthful each header is", () => {
    // Each copy declares the true size: only the sharing gives it away. 200 passes over 16 MiB
    // (or over a stream of empty deflate blocks, which yields nothing) would hold the web process.
    const zip = lyingZip(16, 200, 16 * 1024 * 1024);
    let error: unknown;
    try {
      readZip(zip, { entries: 2000, entryBytes: 32 * 1024 * 1024, totalBytes: 8 * 1024 * 1024 * 1024 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ImportError);
    expect((error as ImportError).code).toBe("invalid_zip");
    expect((error as ImportError).message).toContain("share data");
  });
});

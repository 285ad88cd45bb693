import zlib from "node:zlib";
import { ImportError } from "./errors";

/**
 * Unpacks an uploaded zip without trusting it. A zip says how big each entry
 * is; an entry is inflated only up to that declared size (readZip), so a
 * lying header cannot make it allocate, or decode, more than we agreed to.
 * The whole archive is refused when it has too many entries, an entry larger
 * than allowed, too much in all, or a name that would climb out of the
 * package (absolute, "..", backslashes, NUL).
 */
export const ZIP_LIMITS = {
  entries: 2000,
  entryBytes: 8 * 1024 * 1024,
  totalBytes: 64 * 1024 * 1024,
};

export type ZipLimits = typeof ZIP_LIMITS;

/** True when the bytes start like a zip (a local file header, or the end record of an empty one). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && (bytes[3] === 4 || bytes[3] === 6);
}

export function unsafeEntryName(name: string): boolean {
  if (name.includes("\0") || name.includes("\\") || name.startsWith("/") || /^[A-Za-z]:/.test(name)) return true;
  return name.split("/").some((part) => part === "..");
}

/**
 * The files of the archive by path (folders left out). Throws ImportError with a code naming what is wrong.
 *
 * The archive is read here rather than by fflate's unzipSync: that one
 * inflates into a buffer of the declared size but goes on DECODING the whole
 * stream past it, writing nowhere. A header that said 0 bytes over a stream
 * of 16 MiB of zeros compressed (16 GiB unpacked), or 2000 central-directory
 * entries all pointing at that one stream, kept the web process's only thread
 * busy for minutes to hours. Here each entry is inflated with zlib's
 * maxOutputLength, which stops as soon as it passes the declared size: the
 * work is bounded by the limits below whatever the headers say.
 */
export function readZip(bytes: Uint8Array, limits: ZipLimits = ZIP_LIMITS): Map<string, Uint8Array> {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const invalid = (why: string) => new ImportError("invalid_zip", `The upload is not a zip that can be read (${why}).`);
  const end = endOfCentralDirectory(data);
  if (end < 0) throw invalid("no end of central directory");
  const count = data.readUInt16LE(end + 10);
  let at = data.readUInt32LE(end + 16);
  if (count > limits.entries) {
    throw new ImportError("zip_too_many_entries", `The zip has more than ${limits.entries} entries; upload only the problem package.`);
  }
  const files = new Map<string, Uint8Array>();
  let total = 0;
  /** Compressed bytes read so far: entries may not share data, so all of them together read at most the upload once. */
  let read = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > data.length || data.readUInt32LE(at) !== 0x02014b50) throw invalid("a broken central directory");
    const flags = data.readUInt16LE(at + 8);
    const method = data.readUInt16LE(at + 10);
    const compressedSize = data.readUInt32LE(at + 20);
    const size = data.readUInt32LE(at + 24);
    const nameLength = data.readUInt16LE(at + 28);
    const next = at + 46 + nameLength + data.readUInt16LE(at + 30) + data.readUInt16LE(at + 32);
    const local = data.readUInt32LE(at + 42);
    if (next > data.length) throw invalid("a broken central directory");
    const name = data.subarray(at + 46, at + 46 + nameLength).toString(flags & 0x800 ? "utf8" : "latin1");
    at = next;
    if (unsafeEntryName(name)) {
      throw new ImportError(
        "zip_unsafe_path",
        `The zip holds an entry named "${name.slice(0, 200)}", which points outside the package; such archives are refused.`,
      );
    }
    if (name.endsWith("/")) continue;
    if (flags & 1) throw invalid(`"${name.slice(0, 200)}" is encrypted`);
    if (size > limits.entryBytes) {
      throw new ImportError("zip_too_large", `"${name.slice(0, 200)}" unpacks to ${size} bytes; each file may be at most ${limits.entryBytes}.`);
    }
    total += size;
    if (total > limits.totalBytes) {
      throw new ImportError("zip_too_large", `The zip unpacks to more than ${limits.totalBytes} bytes in all; remove what the tests do not need.`);
    }
    if (local + 30 > data.length || data.readUInt32LE(local) !== 0x04034b50) throw invalid(`a broken local header for "${name.slice(0, 200)}"`);
    const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
    if (start + compressedSize > data.length) throw invalid(`"${name.slice(0, 200)}" runs past the end of the file`);
    read += compressedSize;
    // Entries pointing at the same bytes would decode them again and again (a stream of empty deflate
    // blocks costs time and yields nothing, so no output limit catches it): a real zip never does that.
    if (read > data.length) throw invalid("its entries share data");
    const stored = data.subarray(start, start + compressedSize);
    let content: Buffer;
    if (method === 0) content = stored;
    else if (method === 8) {
      try {
        // Stops decoding as soon as the output passes the declared size (+1 tells "more" from "exactly").
        content = zlib.inflateRawSync(stored, { maxOutputLength: size + 1 });
      } catch (err) {
        if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
          throw new ImportError("zip_too_large", `"${name.slice(0, 200)}" unpacks to more than the ${size} bytes its header says; such archives are refused.`);
        }
        throw invalid(`"${name.slice(0, 200)}" does not inflate: ${(err as Error).message}`);
      }
    } else throw invalid(`"${name.slice(0, 200)}" uses compression method ${method}; only stored and deflated entries are read`);
    if (content.length !== size) throw invalid(`"${name.slice(0, 200)}" unpacks to ${content.length} bytes, not the ${size} its header says`);
    files.set(name, new Uint8Array(content));
  }
  return files;
}

/** The offset of the end-of-central-directory record (searched from the end, past a comment of up to 64 KiB), or -1. */
function endOfCentralDirectory(data: Buffer): number {
  for (let i = data.length - 22; i >= 0 && i >= data.length - 22 - 0xffff; i--) {
    if (data.readUInt32LE(i) === 0x06054b50) return i;
  }
  return -1;
}

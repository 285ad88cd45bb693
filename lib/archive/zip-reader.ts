import { promisify } from "node:util";
import zlib from "node:zlib";

const inflateRaw = promisify(zlib.inflateRaw);

/**
 * A zip read without trusting it, for every upload that is one (a Kattis
 * package, a room's files). The central directory is listed first (the entry
 * count capped before anything is read); an entry is inflated only when the
 * caller asks, and never past the size its header declares: zlib's
 * maxOutputLength stops decoding as soon as the output passes it, so a lying
 * header cannot make the process allocate, or decode, more than the caller
 * agreed to (fflate's unzipSync went on decoding the whole stream past the
 * declared size: tests/attacks/zip-decode-cost.test.ts). Entries may not
 * share data, so all reads together decode at most the upload once.
 *
 * What the reader refuses (ZipError): a file that is not a zip, a broken
 * directory or header, more entries than allowed, a name that would climb out
 * of the archive (absolute, "..", backslash, NUL, a drive letter), encrypted
 * entries, methods other than stored and deflate, and an entry that unpacks
 * to more (or less) than its header says. What an entry is (a folder, a
 * symbolic link) is told to the caller, who decides.
 */
export type ZipErrorCode = "invalid_zip" | "zip_too_large" | "zip_too_many_entries" | "zip_unsafe_path";

export class ZipError extends Error {
  constructor(
    readonly code: ZipErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ZipError";
  }
}

export interface ZipEntry {
  /** As stored (UTF-8 when flagged so, else Latin-1); checked safe. */
  name: string;
  directory: boolean;
  /** A Unix symbolic link (made on Unix, with the link type in its mode bits): its data is the target. */
  symlink: boolean;
  /** What the header declares it unpacks to; read() holds it to this. */
  size: number;
  /** Its bytes, inflated at most to `size` (ZipError otherwise). */
  read(): Uint8Array;
  /**
   * The same, inflated on zlib's thread pool: a small zip may inflate to megabytes, and a request handler
   * that inflates them with read() holds the process's only JavaScript thread for all of it.
   */
  readAsync(): Promise<Uint8Array>;
}

/** True when the bytes start like a zip (a local file header, or the end record of an empty one). */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && (bytes[3] === 4 || bytes[3] === 6);
}

export function unsafeEntryName(name: string): boolean {
  if (name.includes("\0") || name.includes("\\") || name.startsWith("/") || /^[A-Za-z]:/.test(name)) return true;
  return name.split("/").some((part) => part === "..");
}

const shown = (name: string) => name.slice(0, 200);
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** The archive's entries, in directory order; throws ZipError for what no caller may accept. */
export function zipEntries(bytes: Uint8Array, maxEntries: number): ZipEntry[] {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const invalid = (why: string) => new ZipError("invalid_zip", `The upload is not a zip that can be read (${why}).`);
  const end = endOfCentralDirectory(data);
  if (end < 0) throw invalid("no end of central directory");
  const count = data.readUInt16LE(end + 10);
  let at = data.readUInt32LE(end + 16);
  if (count > maxEntries) throw new ZipError("zip_too_many_entries", `The zip has more than ${maxEntries} entries.`);
  /** Compressed bytes read so far: entries may not share data, so all of them together read at most the upload once. */
  let read = 0;
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > data.length || data.readUInt32LE(at) !== 0x02014b50) throw invalid("a broken central directory");
    const madeOn = data.readUInt8(at + 5);
    const flags = data.readUInt16LE(at + 8);
    const method = data.readUInt16LE(at + 10);
    const compressedSize = data.readUInt32LE(at + 20);
    const size = data.readUInt32LE(at + 24);
    const nameLength = data.readUInt16LE(at + 28);
    const external = data.readUInt32LE(at + 38);
    const next = at + 46 + nameLength + data.readUInt16LE(at + 30) + data.readUInt16LE(at + 32);
    const local = data.readUInt32LE(at + 42);
    if (next > data.length) throw invalid("a broken central directory");
    const name = data.subarray(at + 46, at + 46 + nameLength).toString(flags & 0x800 ? "utf8" : "latin1");
    at = next;
    if (unsafeEntryName(name)) {
      throw new ZipError("zip_unsafe_path", `The zip holds an entry named "${shown(name)}", which points outside the archive; such archives are refused.`);
    }
    const entry: ZipEntry = {
      name,
      directory: name.endsWith("/"),
      symlink: madeOn === 3 && ((external >>> 16) & S_IFMT) === S_IFLNK,
      size,
      read: () => check(inflateSync(locate())),
      readAsync: async () => check(await inflateAsync(locate())),
    };
    /** The entry's stored bytes, once every header check has passed. */
    const locate = (): Buffer => {
      if (flags & 1) throw invalid(`"${shown(name)}" is encrypted`);
      if (local + 30 > data.length || data.readUInt32LE(local) !== 0x04034b50) throw invalid(`a broken local header for "${shown(name)}"`);
      const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
      if (start + compressedSize > data.length) throw invalid(`"${shown(name)}" runs past the end of the file`);
      read += compressedSize;
      // Entries pointing at the same bytes would decode them again and again (a stream of empty deflate
      // blocks costs time and yields nothing, so no output limit catches it): a real zip never does that.
      if (read > data.length) throw invalid("its entries share data");
      if (method !== 0 && method !== 8) throw invalid(`"${shown(name)}" uses compression method ${method}; only stored and deflated entries are read`);
      return data.subarray(start, start + compressedSize);
    };
    // Stops decoding as soon as the output passes the declared size (+1 tells "more" from "exactly").
    const inflateSync = (stored: Buffer): Buffer => {
      if (method === 0) return stored;
      try {
        return zlib.inflateRawSync(stored, { maxOutputLength: size + 1 });
      } catch (err) {
        throw inflateError(err);
      }
    };
    const inflateAsync = async (stored: Buffer): Promise<Buffer> => {
      if (method === 0) return stored;
      return inflateRaw(stored, { maxOutputLength: size + 1 }).catch((err: unknown) => {
        throw inflateError(err);
      });
    };
    const inflateError = (err: unknown): ZipError => {
      if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
        return new ZipError("zip_too_large", `"${shown(name)}" unpacks to more than the ${size} bytes its header says; such archives are refused.`);
      }
      return invalid(`"${shown(name)}" does not inflate: ${(err as Error).message}`);
    };
    const check = (content: Buffer): Uint8Array => {
      if (content.length !== size) throw invalid(`"${shown(name)}" unpacks to ${content.length} bytes, not the ${size} its header says`);
      return new Uint8Array(content);
    };
    entries.push(entry);
  }
  return entries;
}

/** The offset of the end-of-central-directory record (searched from the end, past a comment of up to 64 KiB), or -1. */
function endOfCentralDirectory(data: Buffer): number {
  for (let i = data.length - 22; i >= 0 && i >= data.length - 22 - 0xffff; i--) {
    if (data.readUInt32LE(i) === 0x06054b50) return i;
  }
  return -1;
}

import { looksLikeZip, ZipError, zipEntries } from "../../../archive/zip-reader";
import { ImportError } from "./errors";

export { looksLikeZip };

/**
 * Unpacks an uploaded Kattis package without trusting it (lib/archive/zip-reader.ts
 * reads it: each entry inflated no further than its declared size). The whole
 * archive is refused when it has too many entries, an entry larger than
 * allowed, too much in all, or a name that would climb out of the package.
 */
export const ZIP_LIMITS = {
  entries: 2000,
  entryBytes: 8 * 1024 * 1024,
  totalBytes: 64 * 1024 * 1024,
};

export type ZipLimits = typeof ZIP_LIMITS;

/** The files of the archive by path (folders left out). Throws ImportError with a code naming what is wrong. */
export function readZip(bytes: Uint8Array, limits: ZipLimits = ZIP_LIMITS): Map<string, Uint8Array> {
  try {
    return readFiles(bytes, limits);
  } catch (err) {
    if (!(err instanceof ZipError)) throw err;
    if (err.code === "zip_too_many_entries") {
      throw new ImportError(err.code, `The zip has more than ${limits.entries} entries; upload only the problem package.`);
    }
    throw new ImportError(err.code, err.message);
  }
}

function readFiles(bytes: Uint8Array, limits: ZipLimits): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  let total = 0;
  for (const entry of zipEntries(bytes, limits.entries)) {
    if (entry.directory) continue;
    const name = entry.name.slice(0, 200);
    if (entry.size > limits.entryBytes) {
      throw new ImportError("zip_too_large", `"${name}" unpacks to ${entry.size} bytes; each file may be at most ${limits.entryBytes}.`);
    }
    total += entry.size;
    if (total > limits.totalBytes) {
      throw new ImportError("zip_too_large", `The zip unpacks to more than ${limits.totalBytes} bytes in all; remove what the tests do not need.`);
    }
    files.set(entry.name, entry.read());
  }
  return files;
}

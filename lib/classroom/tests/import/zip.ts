import { unzipSync } from "fflate";
import { ImportError } from "./errors";

/**
 * Unpacks an uploaded zip without trusting it. A zip says how big each entry
 * is; fflate inflates into a buffer of that declared size and stops there,
 * so a lying header cannot make it allocate more than we agreed to. Before
 * anything is inflated, the filter refuses the whole archive when it has too
 * many entries, an entry larger than allowed, too much in all, or a name
 * that would climb out of the package (absolute, "..", backslashes, NUL).
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

/** The files of the archive by path (folders left out). Throws ImportError with a code naming what is wrong. */
export function readZip(bytes: Uint8Array, limits: ZipLimits = ZIP_LIMITS): Map<string, Uint8Array> {
  let entries = 0;
  let total = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter(file) {
        entries += 1;
        if (entries > limits.entries) {
          throw new ImportError("zip_too_many_entries", `The zip has more than ${limits.entries} entries; upload only the problem package.`);
        }
        if (unsafeEntryName(file.name)) {
          throw new ImportError(
            "zip_unsafe_path",
            `The zip holds an entry named "${file.name.slice(0, 200)}", which points outside the package; such archives are refused.`,
          );
        }
        if (file.name.endsWith("/")) return false;
        if (file.originalSize > limits.entryBytes) {
          throw new ImportError(
            "zip_too_large",
            `"${file.name.slice(0, 200)}" unpacks to ${file.originalSize} bytes; each file may be at most ${limits.entryBytes}.`,
          );
        }
        total += file.originalSize;
        if (total > limits.totalBytes) {
          throw new ImportError("zip_too_large", `The zip unpacks to more than ${limits.totalBytes} bytes in all; remove what the tests do not need.`);
        }
        return true;
      },
    });
  } catch (err) {
    if (err instanceof ImportError) throw err;
    throw new ImportError("invalid_zip", `The upload is not a zip that can be read (${(err as Error).message}).`);
  }
  return new Map(Object.entries(files));
}

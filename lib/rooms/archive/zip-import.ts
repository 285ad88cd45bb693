import { looksLikeZip, ZipError, type ZipEntry, zipEntries } from "../../archive/zip-reader";
import { ApiError } from "../../http/errors";
import { ROOM_DOCUMENT_LIMITS } from "../document";
import { newPathProblem } from "../tree";
import { ROOM_FILE_LIMITS, ROOM_ZIP_LIMITS, sizeText } from "./limits";
import { binaryReason, textOf } from "./text-files";

/**
 * A zip's files for a new room (POST /api/v1/rooms/import). The archive is
 * refused whole (a 4xx naming the entry) for what it is: not a zip, too many
 * entries, an unsafe name (absolute, "..", backslash: lib/archive), a
 * symbolic link, a name twice, a path the tree's rules refuse, more files or
 * text than a room holds, no text file at all. A file is skipped, and said
 * so, for what it holds: binary, or larger than a room file may be (told by
 * its header, so it is never inflated). A single top-level folder wrapping
 * everything (as in GitHub's "Download ZIP") is stripped. macOS's __MACOSX/
 * resource forks are left out.
 */
export interface ZipImport {
  files: Array<{ path: string; content: string }>;
  /** Folders the zip lists, kept even when empty. */
  folders: string[];
  skipped: Array<{ path: string; reason: string }>;
}

export async function roomFilesFromZip(bytes: Uint8Array): Promise<ZipImport> {
  if (!looksLikeZip(bytes)) throw new ApiError(400, "invalid_zip", "The upload is not a zip; send a .zip file as the body.");
  let entries: ZipEntry[];
  try {
    entries = zipEntries(bytes, ROOM_ZIP_LIMITS.entries).filter((e) => !e.name.startsWith("__MACOSX/"));
  } catch (err) {
    throw zipApiError(err);
  }
  const prefix = wrappingFolder(entries);
  const seen = new Set<string>();
  const folders: string[] = [];
  const files: ZipImport["files"] = [];
  const skipped: ZipImport["skipped"] = [];
  let inflated = 0;
  let total = 0;
  for (const entry of entries) {
    const path = entry.name.slice(prefix.length).replace(/\/$/, "");
    if (path === "") continue;
    if (entry.symlink) {
      throw new ApiError(400, "zip_symlink", `The zip holds "${entry.name.slice(0, 200)}", a symbolic link; rooms hold files only. Remove it and try again.`);
    }
    const problem = newPathProblem(path);
    if (problem) throw new ApiError(400, "zip_bad_path", `The zip holds "${path.slice(0, 200)}", a name a room cannot hold: ${problem}.`);
    if (seen.has(path)) throw new ApiError(400, "zip_duplicate_path", `The zip holds "${path.slice(0, 200)}" twice; keep one and try again.`);
    seen.add(path);
    if (entry.directory) {
      folders.push(path);
      continue;
    }
    if (entry.size > ROOM_FILE_LIMITS.fileBytes) {
      skipped.push({ path, reason: `${path} is too large (${sizeText(entry.size)}); a room file may be at most ${sizeText(ROOM_FILE_LIMITS.fileBytes)}` });
      continue;
    }
    inflated += entry.size;
    if (inflated > ROOM_ZIP_LIMITS.inflatedBytes) {
      throw new ApiError(
        413,
        "zip_too_large",
        `The zip unpacks to more than ${sizeText(ROOM_ZIP_LIMITS.inflatedBytes)} in all; leave out what the room does not need.`,
      );
    }
    let content: string | undefined;
    try {
      // Inflated on zlib's thread pool: a zip of a few KiB may inflate to 16 MiB, which read() would decode
      // on the web process's only thread (tests/attacks/zip-import-hostile.test.ts).
      content = textOf(await entry.readAsync());
    } catch (err) {
      throw zipApiError(err);
    }
    if (content === undefined) {
      skipped.push({ path, reason: binaryReason(path) });
      continue;
    }
    total += entry.size;
    if (total > ROOM_FILE_LIMITS.totalBytes) {
      throw new ApiError(413, "zip_too_large", `The zip's text files hold more than ${sizeText(ROOM_FILE_LIMITS.totalBytes)}; a new room takes at most that.`);
    }
    files.push({ path, content });
  }
  // Files and folders must not pass through one another ("a" a file and "a/b" another).
  const filePaths = new Set(files.map((f) => f.path));
  for (const p of [...filePaths, ...folders]) {
    const parts = p.split("/");
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      if (filePaths.has(parent)) throw new ApiError(400, "zip_duplicate_path", `The zip holds "${parent}" as a file and as a folder of "${p.slice(0, 200)}".`);
    }
  }
  if (files.length > ROOM_DOCUMENT_LIMITS.files) {
    throw new ApiError(400, "zip_too_many_files", `The zip holds ${files.length} text files; a room holds at most ${ROOM_DOCUMENT_LIMITS.files}.`);
  }
  if (folders.length > ROOM_DOCUMENT_LIMITS.folders) {
    throw new ApiError(400, "zip_too_many_files", `The zip holds ${folders.length} folders; a room holds at most ${ROOM_DOCUMENT_LIMITS.folders}.`);
  }
  if (files.length === 0) {
    const why = skipped.length
      ? `; skipped: ${skipped
          .slice(0, 3)
          .map((s) => s.reason)
          .join("; ")}`
      : "";
    throw new ApiError(400, "zip_no_files", `The zip holds no text file a room can take${why}.`);
  }
  return { files, folders, skipped };
}

/** "name/" when every entry sits in that one folder (GitHub's zips wrap the repository so), else "". */
function wrappingFolder(entries: ZipEntry[]): string {
  const firsts = new Set(entries.map((e) => e.name.split("/")[0]));
  if (firsts.size !== 1) return "";
  const top = [...firsts][0]!;
  const wrapped =
    entries.every((e) => e.name === `${top}/` || e.name.startsWith(`${top}/`)) && entries.some((e) => e.name.startsWith(`${top}/`) && e.name !== `${top}/`);
  return wrapped ? `${top}/` : "";
}

function zipApiError(err: unknown): unknown {
  if (!(err instanceof ZipError)) return err;
  if (err.code === "zip_too_many_entries") {
    return new ApiError(413, "zip_too_many_entries", `The zip has more than ${ROOM_ZIP_LIMITS.entries} entries; leave out what the room does not need.`);
  }
  return new ApiError(err.code === "zip_too_large" ? 413 : 400, err.code, err.message);
}

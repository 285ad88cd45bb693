import { ApiError, readBodyBytes, readJson } from "../../http/errors";
import { COURSE_LIMITS } from "./limits";
import { importRosterSchema } from "./requests";

/**
 * The CSV of a roster upload: sent as the body itself (`text/csv`, what
 * `curl --data-binary @roster.csv` and a file input send) or as JSON `{csv}`
 * (what a page that read the file sends). At most COURSE_LIMITS.csvBytes of
 * CSV either way, UTF-8.
 */
export async function readRosterCsv(request: Request): Promise<string> {
  const type = request.headers.get("content-type") ?? "";
  // JSON escapes can make the text up to six times longer (\uXXXX); the CSV inside is checked against the limit again.
  if (/^application\/json\b/i.test(type)) return (await readJson(request, importRosterSchema, 6 * COURSE_LIMITS.csvBytes)).csv;
  if (!/^text\/(csv|plain)\b/i.test(type)) {
    throw new ApiError(415, "unsupported_media_type", 'Send the roster as "Content-Type: text/csv" (the file itself) or as JSON {"csv": "..."}.');
  }
  const bytes = await readCapped(request, COURSE_LIMITS.csvBytes);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError(400, "invalid_request", "The CSV is not UTF-8 text; save it from your spreadsheet as CSV UTF-8.");
  }
}

function readCapped(request: Request, maxBytes: number): Promise<Uint8Array> {
  return readBodyBytes(
    request,
    maxBytes,
    () => new ApiError(413, "payload_too_large", `The roster must be at most ${maxBytes / 1024} KiB; split it into smaller uploads.`),
  );
}

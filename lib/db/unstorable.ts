/**
 * PostgreSQL refuses some values a request can carry and JSON and zod let
 * through: the NUL character (U+0000) in a text or JSON column (22021,
 * 22P05), and dates outside its years 4713 BC-294276 AD (22008, 22009;
 * JavaScript's reach to 271821 BC). Those are the client's mistake, not
 * ours: the routes answer 400, not an opaque 500 (lib/http/errors.ts).
 */
const CODES = new Set(["22021", "22P05", "22008", "22009"]);

export function isUnstorableValue(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 6 && current instanceof Object; depth++) {
    const { code, originalCode, meta } = current as { code?: unknown; originalCode?: unknown; meta?: { driverAdapterError?: unknown } };
    if ((typeof originalCode === "string" && CODES.has(originalCode)) || (typeof code === "string" && CODES.has(code))) return true;
    current = meta?.driverAdapterError ?? (current as { cause?: unknown }).cause;
  }
  return false;
}

export const UNSTORABLE_MESSAGE =
  "The request holds a value that cannot be stored: a NUL character (U+0000) in a text or file, or a date outside the years 4713 BC to 294276 AD. Remove it and send the request again.";

import { ApiError } from "../http/errors";

/**
 * A program's input and output are bytes: a program may print NUL, any
 * control byte or invalid UTF-8, and a file or stdin may hold any bytes. The
 * API shows them in one of two forms, chosen with the `encoding` query
 * parameter (like Judge0's `base64_encoded`):
 *
 *  - `text` (the default): UTF-8 text. Output that is not valid UTF-8 shows
 *    U+FFFD where a byte sequence is invalid; NUL and other control bytes are
 *    characters like any other (JSON writes NUL as "\u0000").
 *  - `base64`: the exact bytes, base64-encoded, both ways: a request's file
 *    contents and stdin are read as base64, and stdout, stderr, compileOutput
 *    and typed input (in responses and in the event stream) are sent as base64.
 */
export type Encoding = "text" | "base64";

/** The request's `?encoding=`: 400 invalid_encoding for anything but text or base64. */
export function requestedEncoding(request: Request): Encoding {
  const value = new URL(request.url).searchParams.get("encoding");
  if (value === null || value === "" || value === "text") return "text";
  if (value === "base64") return "base64";
  throw new ApiError(400, "invalid_encoding", `encoding must be "text" or "base64" (got "${value.slice(0, 40)}").`);
}

// Standard alphabet; padding only at the end (the length is checked to be a multiple of 4).
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
// A UTF-16 surrogate without its pair: no character, so it has no UTF-8 form.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the string is whole characters (no lone surrogate), i.e. it has an exact UTF-8 form. */
export function isWellFormed(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/**
 * What a client sent for a program's input, as bytes: base64 decoded (strictly:
 * anything but standard, padded base64 is refused), or text as UTF-8.
 * `field` names it in the error message, e.g. "files[0].content".
 */
export function inputBytes(value: string, encoding: Encoding, field: string): Buffer {
  if (encoding === "base64") {
    if (value.length % 4 !== 0 || !BASE64.test(value)) {
      throw new ApiError(
        400,
        "invalid_base64",
        `${field} is not valid base64 (standard alphabet, padded with "="); with encoding=base64 it must hold the bytes base64-encoded.`,
      );
    }
    return Buffer.from(value, "base64");
  }
  if (!isWellFormed(value)) {
    throw new ApiError(400, "invalid_text", `${field} holds a lone UTF-16 surrogate, which is not a character; send exact bytes with encoding=base64 instead.`);
  }
  return Buffer.from(value, "utf8");
}

/** A Buffer as the byte array Prisma stores in a bytea column. */
export function storedBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/**
 * Whether a file's bytes can live in a room: a room's document holds each
 * file as text (a Y.Text), so only UTF-8 without NUL bytes goes in. Anything
 * else (an image, a compiled class, a file in Latin-1) is binary here and is
 * refused with a message, never mangled into replacement characters. Used by
 * the browser (uploads) and the server (zip imports) alike.
 */
const decoder = () => new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** The file's text, or undefined when its bytes are not text a room can hold. */
export function textOf(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return decoder().decode(bytes);
  } catch {
    return undefined;
  }
}

export const binaryReason = (path: string) => `${path} is binary; rooms hold text files only`;

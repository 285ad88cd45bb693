/**
 * Whitespace-aware views of output bytes, read as latin1 (one character per
 * byte, so invalid UTF-8 survives byte for byte and only ASCII whitespace is
 * ever treated as whitespace).
 */

/** \r\n as \n, each line's trailing spaces and tabs dropped, trailing blank lines dropped. */
export function linesWithoutTrailingWhitespace(bytes: Buffer): string {
  const lines = bytes.toString("latin1").replace(/\r\n/g, "\n").split("\n");
  for (let i = 0; i < lines.length; i++) lines[i] = trimEnd(lines[i]!);
  let end = lines.length;
  while (end > 0 && lines[end - 1] === "") end--;
  return lines.slice(0, end).join("\n");
}

/** Runs of spaces, tabs, \r, \n, \v and \f separate tokens (ASCII only: no Unicode spaces, no regex backtracking). */
export function tokensOf(bytes: Buffer): string[] {
  const tokens: string[] = [];
  let start = -1;
  for (let i = 0; i <= bytes.length; i++) {
    const blank = i === bytes.length || isBlank(bytes[i]!);
    if (blank && start >= 0) {
      tokens.push(bytes.toString("latin1", start, i));
      start = -1;
    } else if (!blank && start < 0) start = i;
  }
  return tokens;
}

function isBlank(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

function trimEnd(line: string): string {
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 0x20 || line.charCodeAt(end - 1) === 0x09)) end--;
  return line.slice(0, end);
}

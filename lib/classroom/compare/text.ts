/**
 * Whitespace-aware comparisons of output bytes, byte for byte (as latin1:
 * one character per byte, so invalid UTF-8 survives and only ASCII
 * whitespace is ever treated as whitespace).
 *
 * They walk both sides in step over byte ranges and stop at the first
 * difference: nothing is split into strings. The program's side can be as
 * large as its output limit (16 MiB at the server's maximum) and this runs
 * in the runner's event loop: splitting 16 MiB of "1 " into 8 million token
 * strings held the loop for seconds and took ~600 MB.
 */

/** A piece of a buffer: [start, end). */
type Range = [number, number];

/**
 * Lines as "ignore trailing whitespace" sees them: split at \n, a \r right
 * before the \n dropped (\r\n as \n), then trailing spaces and tabs dropped.
 */
function* lines(bytes: Buffer): Generator<Range> {
  let start = 0;
  while (start <= bytes.length) {
    const newline = bytes.indexOf(0x0a, start);
    let end = newline < 0 ? bytes.length : newline;
    if (newline >= 0 && end > start && bytes[end - 1] === 0x0d) end--;
    while (end > start && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x09)) end--;
    yield [start, end];
    if (newline < 0) return;
    start = newline + 1;
  }
}

/** Equal line by line once each line's trailing spaces and tabs are dropped (\r\n as \n), trailing blank lines ignored. */
export function sameLinesIgnoringTrailingWhitespace(a: Buffer, b: Buffer): boolean {
  const left = lines(a);
  const right = lines(b);
  for (;;) {
    const l = left.next();
    const r = right.next();
    if (l.done && r.done) return true;
    // One side has ended: what is left of the other, from its current line on, must be blank lines only.
    if (l.done) return blankFrom(b, (r.value as Range)[0]);
    if (r.done) return blankFrom(a, l.value[0]);
    if (!sameBytes(a, l.value, b, r.value)) return false;
  }
}

/** Only spaces and tabs from `start` on, in lines ended by \n or \r\n (each such line is blank once trimmed). */
function blankFrom(bytes: Buffer, start: number): boolean {
  for (let i = start; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a) continue;
    if (byte === 0x0d && bytes[i + 1] === 0x0a) continue;
    return false;
  }
  return true;
}

/** Runs of spaces, tabs, \r, \n, \v and \f separate tokens (ASCII only). */
export function* tokens(bytes: Buffer): Generator<Range> {
  let start = -1;
  for (let i = 0; i <= bytes.length; i++) {
    const blank = i === bytes.length || isBlank(bytes[i]!);
    if (blank && start >= 0) {
      yield [start, i];
      start = -1;
    } else if (!blank && start < 0) start = i;
  }
}

/** Token by token, as many on each side, each pair equal (`same` decides; default: the same bytes). */
export function sameTokens(a: Buffer, b: Buffer, same: (x: Range, y: Range) => boolean = (x, y) => sameBytes(a, x, b, y)): boolean {
  const left = tokens(a);
  const right = tokens(b);
  for (;;) {
    const l = left.next();
    const r = right.next();
    if (l.done || r.done) return l.done === r.done;
    if (!same(l.value, r.value)) return false;
  }
}

export function sameBytes(a: Buffer, [as, ae]: Range, b: Buffer, [bs, be]: Range): boolean {
  return ae - as === be - bs && a.compare(b, bs, be, as, ae) === 0;
}

function isBlank(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

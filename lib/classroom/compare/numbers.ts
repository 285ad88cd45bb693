import { sameBytes, sameTokens } from "./text";

/**
 * Token-wise comparison where numeric tokens may differ within a tolerance:
 * equal when |actual - expected| <= absolute, or <= relative * |expected|
 * (the usual judge rule). A token that is not a plain decimal number (on
 * either side) must be equal as text; so must the number of tokens.
 */

/** Token by token (compare/text.ts), stopping at the first difference; a token is read as text only when its bytes differ. */
export function numbersMatch(expected: Buffer, actual: Buffer, absolute: number, relative: number): boolean {
  return sameTokens(expected, actual, (e, a) =>
    sameBytes(expected, e, actual, a) ? true : tokenMatches(expected.toString("latin1", e[0], e[1]), actual.toString("latin1", a[0], a[1]), absolute, relative),
  );
}

export function tokenMatches(expected: string, actual: string, absolute: number, relative: number): boolean {
  if (expected === actual) return true;
  if (!isDecimalNumber(expected) || !isDecimalNumber(actual)) return false;
  const e = Number(expected);
  const a = Number(actual);
  if (!Number.isFinite(e) || !Number.isFinite(a)) return false;
  const diff = Math.abs(a - e);
  return diff <= absolute || diff <= relative * Math.abs(e);
}

/**
 * [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?, read in one
 * pass. Not a regular expression: the student writes the token, and the
 * pattern this replaces (\d+\.?\d* then an anchor) backtracked in
 * quadratic time, so a line of a million digits and one letter held the
 * runner's event loop for days (there is no timeout around this).
 */
export function isDecimalNumber(s: string): boolean {
  let i = 0;
  const digitsFrom = (from: number) => {
    let at = from;
    while (at < s.length && s.charCodeAt(at) >= 0x30 && s.charCodeAt(at) <= 0x39) at++;
    return at;
  };
  if (s[i] === "+" || s[i] === "-") i++;
  const intEnd = digitsFrom(i);
  let mantissaDigits = intEnd - i;
  i = intEnd;
  if (s[i] === ".") {
    const fracEnd = digitsFrom(i + 1);
    mantissaDigits += fracEnd - (i + 1);
    i = fracEnd;
  }
  if (mantissaDigits === 0) return false;
  if (s[i] === "e" || s[i] === "E") {
    let at = i + 1;
    if (s[at] === "+" || s[at] === "-") at++;
    const expEnd = digitsFrom(at);
    if (expEnd === at) return false;
    i = expEnd;
  }
  return i === s.length;
}

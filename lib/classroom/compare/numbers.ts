/**
 * Token-wise comparison where numeric tokens may differ within a tolerance:
 * equal when |actual - expected| <= absolute, or <= relative * |expected|
 * (the usual judge rule). A token that is not a plain decimal number (on
 * either side) must be equal as text; so must the number of tokens.
 */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function numbersMatch(expected: string[], actual: string[], absolute: number, relative: number): boolean {
  if (expected.length !== actual.length) return false;
  for (let i = 0; i < expected.length; i++) {
    if (!tokenMatches(expected[i]!, actual[i]!, absolute, relative)) return false;
  }
  return true;
}

export function tokenMatches(expected: string, actual: string, absolute: number, relative: number): boolean {
  if (expected === actual) return true;
  // Tokens are short in any sensible output; a huge one is compared as text only (parsing is linear anyway).
  if (!NUMBER.test(expected) || !NUMBER.test(actual)) return false;
  const e = Number(expected);
  const a = Number(actual);
  if (!Number.isFinite(e) || !Number.isFinite(a)) return false;
  const diff = Math.abs(a - e);
  return diff <= absolute || diff <= relative * Math.abs(e);
}

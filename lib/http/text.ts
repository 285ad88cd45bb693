import { isWellFormed } from "../executions/encoding";

/**
 * Text people type and others see (room names, usernames in requests): what
 * it may not hold, checked at the edge so nothing odd is stored or shown.
 *  - lone UTF-16 surrogates: no character at all; PostgreSQL would silently
 *    store U+FFFD instead;
 *  - C0 and C1 control characters, NUL included (PostgreSQL refuses NUL in
 *    text: it was a 500);
 *  - bidirectional controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F,
 *    U+061C): they make a name display differently from what it is
 *    ("Trojan Source"-style spoofing of a room's name in a list).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Why `text` cannot be a name shown to people, or undefined when it can. */
export function displayTextProblem(text: string): string | undefined {
  if (!isWellFormed(text)) return "must be whole Unicode characters (no lone surrogates)";
  if (CONTROL.test(text)) return "must not contain control characters (such as NUL or a line break)";
  if (BIDI.test(text)) return "must not contain bidirectional control characters (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C)";
  return undefined;
}

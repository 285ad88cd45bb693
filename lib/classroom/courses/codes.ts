import { randomInt } from "node:crypto";

/**
 * Invite codes are typed by people (read off a projector, dictated), so they
 * are short and use an alphabet without look-alikes: no 0/O, 1/I/L. 31
 * symbols, 10 of them: 31^10 ≈ 8·10^14 codes, and guessing is rate-limited
 * (join-limit.ts), so a guesser finds none in practice. Input is forgiving:
 * case, spaces and dashes do not matter.
 */
export const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const CODE_LENGTH = 10;

export function newInviteCode(): string {
  let code = "";
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

/** What a person typed, as stored: upper case, without spaces or dashes. */
export function normalizeCode(typed: string): string {
  return typed.replace(/[\s-]/g, "").toUpperCase();
}

/** Whether a normalized code could be one of ours (anything else is refused without a database look-up). */
export function isWellFormedCode(code: string): boolean {
  if (code.length !== CODE_LENGTH) return false;
  for (const ch of code) if (!CODE_ALPHABET.includes(ch)) return false;
  return true;
}

import type { Terminal } from "@xterm/xterm";

/** One piece of a run's output as the run panel shows it, in arrival order. */
export interface OutputPiece {
  /** compile: the compiler's output (only in the stored result); stdin: input given to the program. */
  stream: "stdout" | "stderr" | "stdin" | "compile";
  text: string;
  /** Input given with the run request (typed ahead), as opposed to typed while it ran. */
  ahead?: boolean;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts an ANSI colour sequence.
const SGR = /\x1b\[[\d;:]*m/;
const colour = (code: number, text: string) => `\x1b[${code}m${text}\x1b[39m`;

/**
 * The bytes the terminal gets for a piece: stdout as the program wrote it;
 * stderr red and input green (unless the text sets colours of its own, which
 * then win); the compiler's output yellow.
 */
export function terminalText(piece: OutputPiece): string {
  if (piece.stream === "stdout" || SGR.test(piece.text)) return piece.text;
  if (piece.stream === "stderr") return colour(31, piece.text);
  if (piece.stream === "stdin") return colour(32, piece.text);
  return colour(33, piece.text);
}

/**
 * What the terminal shows, as plain text: every logical line (wrapped rows
 * joined), trailing blanks trimmed. Carriage returns and cursor movement are
 * already applied, so this is what a reader sees, not the raw bytes.
 */
export function screenText(terminal: Terminal): string {
  const buffer = terminal.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < buffer.length; y++) {
    const line = buffer.getLine(y);
    if (!line) continue;
    const text = line.translateToString(true);
    if (line.isWrapped && lines.length) lines[lines.length - 1] += text;
    else lines.push(text);
  }
  while (lines.length && lines.at(-1) === "") lines.pop();
  return lines.join("\n");
}

/**
 * What the runner writes into a terminal's sandbox (its only way in is the
 * launcher's stdin): framed messages, so keys typed can never pass for a
 * control message. Each frame is one type byte, the payload's length (4
 * bytes, big-endian) and the payload. The pseudo-terminal wrapper inside the
 * sandbox (runner/terminal/pty-wrapper.py) reads them.
 *   d  keys typed: written to the terminal as they are
 *   r  a window size: "cols,rows" in ASCII
 */
export type TerminalFrame = { kind: "data"; data: Buffer } | { kind: "resize"; cols: number; rows: number };

/** The sizes a window may have (xterm's own bounds are wider; these are plenty for a browser). */
export const MIN_COLS = 10;
export const MAX_COLS = 500;
export const MIN_ROWS = 2;
export const MAX_ROWS = 200;

export function encodeFrame(frame: TerminalFrame): Buffer {
  const payload = frame.kind === "data" ? frame.data : Buffer.from(`${frame.cols},${frame.rows}`, "ascii");
  const head = Buffer.alloc(5);
  head.write(frame.kind === "data" ? "d" : "r", 0, "ascii");
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

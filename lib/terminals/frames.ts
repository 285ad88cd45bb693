/**
 * What the runner writes into a terminal's sandbox (its only way in is the
 * launcher's stdin): framed messages, so keys typed can never pass for a
 * control message. Each frame is one type byte, the payload's length (4
 * bytes, big-endian) and the payload. The pseudo-terminal wrapper inside the
 * sandbox (runner/terminal/pty-wrapper.py) reads them.
 *   d  keys typed: written to the terminal as they are
 *   r  a window size: "cols,rows" in ASCII
 *   f  list the project folder's files (answered on the wrapper's stderr): a request id, 16 hex digits
 */
export type TerminalFrame = { kind: "data"; data: Buffer } | { kind: "resize"; cols: number; rows: number } | { kind: "files"; requestId: string };

/** The sizes a window may have (xterm's own bounds are wider; these are plenty for a browser). */
export const MIN_COLS = 10;
export const MAX_COLS = 500;
export const MIN_ROWS = 2;
export const MAX_ROWS = 200;

export function encodeFrame(frame: TerminalFrame): Buffer {
  const payload =
    frame.kind === "data" ? frame.data : frame.kind === "resize" ? Buffer.from(`${frame.cols},${frame.rows}`, "ascii") : Buffer.from(frame.requestId, "ascii");
  const head = Buffer.alloc(5);
  head.write(frame.kind === "data" ? "d" : frame.kind === "resize" ? "r" : "f", 0, "ascii");
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

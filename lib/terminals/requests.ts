import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { z } from "zod";
import { ApiError } from "../http/errors";
import { isUuid } from "../http/ids";
import { web } from "../web/context";
import { MAX_COLS, MAX_ROWS, MIN_COLS, MIN_ROWS } from "./frames";

/** One piece of typed input: a paste longer than this is sent in pieces (the page does). */
export const MAX_INPUT_PIECE_BYTES = 16 * 1024;
/** The input route's body: the piece, JSON-escaped (up to 6 bytes a byte for control characters), and the rest. */
export const MAX_INPUT_BODY_BYTES = 6 * MAX_INPUT_PIECE_BYTES + 1024;
/** Input requests one user may send a second, to every terminal together: typing is far slower (the page batches keys). */
const INPUT_REQUESTS_PER_SECOND = 40;

const size = (name: string, min: number, max: number) =>
  z
    .number({ error: `${name} must be a whole number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max}`);

/** POST /api/v1/rooms/:id/terminal/input: keys typed and/or a new window size, for the terminal named. */
export const terminalInputSchema = z
  .object({
    terminalId: z
      .string({ error: "terminalId is required (the terminal's id, from GET /api/v1/rooms/:id/terminal)" })
      .refine(isUuid, "terminalId must be a terminal's id"),
    data: z
      .string({ error: "data must be a string (the keys typed)" })
      .refine(
        (d) => Buffer.byteLength(d, "utf8") <= MAX_INPUT_PIECE_BYTES,
        `data must be at most ${MAX_INPUT_PIECE_BYTES} bytes; send a longer paste in pieces`,
      )
      .optional(),
    cols: size("cols", MIN_COLS, MAX_COLS).optional(),
    rows: size("rows", MIN_ROWS, MAX_ROWS).optional(),
  })
  .strict()
  .refine((b) => (b.cols === undefined) === (b.rows === undefined), "cols and rows come together (a window size)")
  .refine((b) => b.data !== undefined || b.cols !== undefined, "send data (keys typed), a window size (cols and rows), or both");

/** POST /api/v1/rooms/:id/terminal/files: which terminal's folder to list. */
export const keepFilesSchema = z
  .object({
    terminalId: z
      .string({ error: "terminalId is required (the terminal's id, from GET /api/v1/rooms/:id/terminal)" })
      .refine(isUuid, "terminalId must be a terminal's id"),
  })
  .strict();

const holder = globalThis as typeof globalThis & { __samTerminalInputLimiter?: RateLimiterRedis };

/** 429 rate_limited past INPUT_REQUESTS_PER_SECOND input requests of one user. */
export async function takeInputAllowance(userId: string): Promise<void> {
  holder.__samTerminalInputLimiter ??= new RateLimiterRedis({
    storeClient: web().redis,
    keyPrefix: "sam:rl:terminal-input",
    points: INPUT_REQUESTS_PER_SECOND,
    duration: 1,
  });
  try {
    await holder.__samTerminalInputLimiter.consume(userId);
  } catch (err) {
    if (err instanceof RateLimiterRes || (err as RateLimiterRes)?.msBeforeNext !== undefined) {
      throw new ApiError(429, "rate_limited", `You sent more than ${INPUT_REQUESTS_PER_SECOND} pieces of terminal input in a second; send keys together.`, {
        "retry-after": "1",
      });
    }
    throw err;
  }
}

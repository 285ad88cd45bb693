import { z } from "zod";
import { inputBytes, requestedEncoding } from "@/lib/executions/encoding";
import { isFinal } from "@/lib/executions/status";
import { appendStdin, clearStdin } from "@/lib/executions/stdin";
import { MAX_STDIN_BYTES } from "@/lib/executions/request";
import { ApiError, readJson } from "@/lib/http/errors";
import { web } from "@/lib/web/context";
import { accessibleExecution } from "@/lib/web/execution-access";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

const MAX_PIECE_BYTES = 64 * 1024;

const stdinSchema = z
  .object({
    data: z.string({ error: "data must be a string (what to type, newlines included)" }).default(""),
    eof: z.boolean({ error: "eof must be true or false" }).default(false),
  })
  .strict();

/**
 * POST /api/v1/executions/:id/stdin {data, eof?} -> 202: types into a running
 * interactive program (a room's runs are interactive). Editors and the owner
 * of the room, or the run's owner; `eof: true` closes its input. At most
 * 1 MiB in all per run. With ?encoding=base64, `data` is base64 (any bytes).
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { redis } = web();
  const encoding = requestedEncoding(request);
  const { execution } = await accessibleExecution(request, (await params).id, "run");
  const body = await readJson(request, stdinSchema, 128 * 1024);
  const data = inputBytes(body.data, encoding, "data");
  if (data.length > MAX_PIECE_BYTES) throw new ApiError(400, "invalid_request", "data: send at most 64 KiB at a time.");
  if (!execution.interactive)
    throw new ApiError(409, "not_interactive", "This run took its whole input when it started; only a room's runs take input while they run.");
  // A room's terminal reads only its own input route (framed for its pseudo-terminal): stdin sent here would wait
  // in Redis, read by nobody, until it ended.
  if (execution.terminal) throw new ApiError(409, "not_interactive", "This is a room's terminal: type into it with POST /api/v1/rooms/:id/terminal/input.");
  if (isFinal(execution.status)) throw new ApiError(409, "already_finished", `The run already finished (${execution.status}); start it again to type into it.`);
  if (!(await appendStdin(redis, execution.id, data, body.eof))) {
    throw new ApiError(413, "stdin_too_large", `A run takes at most ${MAX_STDIN_BYTES} bytes (1 MiB) of input in all.`);
  }
  // Ended meanwhile: a cancel may have cleared the input before this piece came (a run cancelled while queued
  // never reaches the runner that clears it otherwise). Drop it rather than leave it in Redis. Still 202: a run
  // that ended just now may well have read it.
  const row = await web().db.execution.findUnique({ where: { id: execution.id }, select: { status: true } });
  if (!row || isFinal(row.status)) await clearStdin(redis, execution.id);
  return new Response(null, { status: 202 });
});

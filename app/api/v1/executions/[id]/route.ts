import { requestedEncoding } from "@/lib/executions/encoding";
import { appendEvent } from "@/lib/executions/events";
import { CANCEL_CHANNEL } from "@/lib/executions/queue";
import { clearStdin } from "@/lib/executions/stdin";
import { isFinal } from "@/lib/executions/status";
import { executionSummary } from "@/lib/executions/view";
import { executionHead, executionResponse, LARGE_OUTPUT_BYTES, outputBytes } from "@/lib/executions/view-stream";
import { ApiError } from "@/lib/http/errors";
import { web } from "@/lib/web/context";
import { accessibleExecution } from "@/lib/web/execution-access";
import { clearTerminalInput } from "@/lib/terminals/input";
import { dequeueRun, openStreamLease } from "@/lib/web/executions";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * GET /api/v1/executions/:id[?encoding=base64] -> the execution (its owner, or
 * room members for a room's run; others get 404). The output is sent as the
 * client reads it; a response with more than LARGE_OUTPUT_BYTES of output
 * counts against the user's stream cap while it is sent (429 too_many_streams).
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const encoding = requestedEncoding(request);
  const { caller, execution } = await accessibleExecution(request, (await params).id);
  return respond(caller.user.id, execution.id, encoding, true, request.signal);
});

/** The execution as it is now; `countLarge`: a large one takes a place under the stream cap (a cancel, already done, never answers 429). */
async function respond(
  userId: string,
  id: string,
  encoding: ReturnType<typeof requestedEncoding>,
  countLarge: boolean,
  signal?: AbortSignal,
): Promise<Response> {
  const { db } = web();
  const head = await executionHead(db, id);
  if (!head) throw new ApiError(404, "not_found", `No execution ${id} of yours exists.`);
  const lease = countLarge && outputBytes(head) > LARGE_OUTPUT_BYTES ? await openStreamLease(userId) : undefined;
  return executionResponse(db, head, encoding, { release: () => lease?.release(), signal });
}

/**
 * DELETE /api/v1/executions/:id -> 200 {status: "cancelled", ...}. The database
 * row decides: the first writer of a final status wins, so a run that finishes
 * at the same moment keeps exactly one result.
 */
export const DELETE = route(async (request: Request, { params }: Params) => {
  const { db, redis } = web();
  const encoding = requestedEncoding(request);
  const { caller, execution } = await accessibleExecution(request, (await params).id, "run");
  if (isFinal(execution.status)) {
    if (execution.status === "cancelled") return respond(caller.user.id, execution.id, encoding, false);
    throw new ApiError(409, "already_finished", `The execution already finished (${execution.status}); there is nothing to cancel.`);
  }
  const updated = await db.execution.updateMany({
    where: { id: execution.id, status: { in: ["queued", "running"] } },
    data: { status: "cancelled", finishedAt: new Date() },
  });
  if (updated.count > 0) {
    const row = await db.execution.findUniqueOrThrow({ where: { id: execution.id }, omit: { stdin: true, stdout: true, stderr: true, compileOutput: true } });
    await redis.publish(CANCEL_CHANNEL, execution.id);
    await dequeueRun(execution.id, execution.userId);
    // A run cancelled while queued never reaches a runner, which clears its live input otherwise
    // (lib/executions/stdin.ts, and a room terminal's lib/terminals/input.ts): left, it stayed in Redis for hours.
    if (execution.interactive) await clearStdin(redis, execution.id);
    if (execution.terminal) await clearTerminalInput(redis, execution.id);
    await appendEvent(redis, execution.id, "result", executionSummary(row));
  }
  return respond(caller.user.id, execution.id, encoding, false);
});

import { requestedEncoding } from "@/lib/executions/encoding";
import { appendEvent } from "@/lib/executions/events";
import { CANCEL_CHANNEL } from "@/lib/executions/queue";
import { isFinal, type ExecutionStatus } from "@/lib/executions/status";
import { executionSummary, executionView } from "@/lib/executions/view";
import { ApiError } from "@/lib/http/errors";
import { web } from "@/lib/web/context";
import { accessibleExecution } from "@/lib/web/execution-access";
import { executionServices } from "@/lib/web/executions";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/** GET /api/v1/executions/:id[?encoding=base64] -> the execution (its owner only; others get 404). */
export const GET = route(async (request: Request, { params }: Params) => {
  const encoding = requestedEncoding(request);
  const { execution } = await accessibleExecution(request, (await params).id);
  const row = await web().db.execution.findUniqueOrThrow({ where: { id: execution.id } });
  return Response.json(executionView(row, encoding), { headers: { "cache-control": "no-store" } });
});

/**
 * DELETE /api/v1/executions/:id -> 200 {status: "cancelled", ...}. The database
 * row decides: the first writer of a final status wins, so a run that finishes
 * at the same moment keeps exactly one result.
 */
export const DELETE = route(async (request: Request, { params }: Params) => {
  const { db, redis } = web();
  const encoding = requestedEncoding(request);
  const { execution } = await accessibleExecution(request, (await params).id, "run");
  if (isFinal(execution.status as ExecutionStatus)) {
    if (execution.status === "cancelled") return Response.json(executionView(await db.execution.findUniqueOrThrow({ where: { id: execution.id } }), encoding));
    throw new ApiError(409, "already_finished", `The execution already finished (${execution.status}); there is nothing to cancel.`);
  }
  const updated = await db.execution.updateMany({
    where: { id: execution.id, status: { in: ["queued", "running"] } },
    data: { status: "cancelled", finishedAt: new Date() },
  });
  const row = await db.execution.findUniqueOrThrow({ where: { id: execution.id } });
  if (updated.count > 0) {
    await redis.publish(CANCEL_CHANNEL, execution.id);
    await executionServices().queue.remove(execution.id).catch(() => undefined);
    await appendEvent(redis, execution.id, "result", executionSummary(row));
  }
  return Response.json(executionView(row, encoding), { headers: { "cache-control": "no-store" } });
});

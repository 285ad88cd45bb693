import { readEvents } from "@/lib/executions/events";
import { eventsKey } from "@/lib/executions/queue";
import { isFinal, type ExecutionStatus } from "@/lib/executions/status";
import { executionView } from "@/lib/executions/view";
import { web } from "@/lib/web/context";
import { accessibleExecution } from "@/lib/web/execution-access";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/executions/:id/events -> text/event-stream.
 * `status`, `stdout`, `stderr` events as they happen, then `result` with the
 * whole execution, then the stream ends. A late client first gets everything
 * so far (replayed from Redis); Last-Event-ID resumes after a reconnect.
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db, redis } = web();
  const { execution } = await accessibleExecution(request, (await params).id);
  const encoder = new TextEncoder();
  const resumeFrom = request.headers.get("last-event-id") ?? "0";
  const conn = redis.duplicate();
  let closed = false;

  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (chunk: string) => !closed && controller.enqueue(encoder.encode(chunk));
      const finish = () => {
        if (closed) return;
        closed = true;
        conn.disconnect();
        controller.close();
      };
      try {
        let last = resumeFrom;
        if (last === "0" && execution.status === "queued") send(`event: status\ndata: ${JSON.stringify({ status: execution.status, attempt: execution.attempts })}\n\n`);
        while (!closed) {
          const events = await readEvents(conn, execution.id, last, 10_000);
          for (const e of events) {
            send(`id: ${e.id}\nevent: ${e.type}\ndata: ${e.type === "stdout" || e.type === "stderr" || e.type === "stdin" ? JSON.stringify(e.data) : e.data}\n\n`);
            last = e.id;
            if (e.type === "result") return finish();
          }
          if (events.length === 0) {
            // Nothing new: either still running (keep the connection alive) or finished long ago (stream expired).
            const row = await db.execution.findUnique({ where: { id: execution.id } });
            if (row && isFinal(row.status as ExecutionStatus) && (await redis.exists(eventsKey(row.id))) === 0) {
              send(`event: result\ndata: ${JSON.stringify(executionView(row))}\n\n`);
              return finish();
            }
            send(": keep-alive\n\n");
          }
        }
      } catch (err) {
        if (!closed) {
          web().log.error({ err }, "event stream failed");
          send(`event: error\ndata: ${JSON.stringify({ code: "stream_failed", message: "The event stream broke; reconnect to resume." })}\n\n`);
          finish();
        }
      }
    },
    cancel() {
      closed = true;
      conn.disconnect();
    },
  });
  request.signal.addEventListener("abort", () => {
    closed = true;
    conn.disconnect();
  });
  return new Response(body, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" },
  });
});

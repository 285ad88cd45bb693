import { requestedEncoding } from "@/lib/executions/encoding";
import { EventFormatter, readEvents } from "@/lib/executions/events";
import { isFinal, type ExecutionStatus } from "@/lib/executions/status";
import { executionView } from "@/lib/executions/view";
import { web } from "@/lib/web/context";
import { accessibleExecution } from "@/lib/web/execution-access";
import { openStreamLease } from "@/lib/web/executions";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/executions/:id/events[?encoding=base64] -> text/event-stream.
 * `status`, `stdout`, `stderr` (and `stdin`, `notice`) events as they happen,
 * then `result` with the whole execution (read from PostgreSQL: Redis's
 * result event carries no output), then the stream ends. A late client first
 * gets what the live stream still holds; Last-Event-ID resumes after a
 * reconnect. Each open stream counts against the user's stream cap.
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db, redis, log } = web();
  const encoding = requestedEncoding(request);
  const { caller, execution } = await accessibleExecution(request, (await params).id);
  const lease = await openStreamLease(caller.user.id);
  const encoder = new TextEncoder();
  const format = new EventFormatter(encoding);
  const resumeFrom = request.headers.get("last-event-id") ?? "0";
  const conn = redis.duplicate();
  let closed = false;
  const close = () => {
    closed = true;
    conn.disconnect();
    void lease.release();
  };

  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (chunk: string) => !closed && controller.enqueue(encoder.encode(chunk));
      const finish = () => {
        if (closed) return;
        close();
        controller.close();
      };
      const sendResult = async (id?: string) => {
        const rest = format.rest();
        if (rest) send(rest);
        const row = await db.execution.findUnique({ where: { id: execution.id } });
        if (row) send(`${id ? `id: ${id}\n` : ""}event: result\ndata: ${JSON.stringify(executionView(row, encoding))}\n\n`);
        finish();
      };
      try {
        let last = resumeFrom;
        if (last === "0" && execution.status === "queued") send(`event: status\ndata: ${JSON.stringify({ status: execution.status, attempt: execution.attempts })}\n\n`);
        while (!closed) {
          const events = await readEvents(conn, execution.id, last, 10_000);
          for (const e of events) {
            if (e.type === "result") return await sendResult(e.id);
            const text = format.sse(e);
            if (text) send(text);
            last = e.id;
          }
          if (events.length === 0) {
            // Nothing new: still running (keep the connection alive), or finished (the stream expired, or its result event was lost).
            const row = await db.execution.findUnique({ where: { id: execution.id }, select: { status: true } });
            if (!row || isFinal(row.status as ExecutionStatus)) return await sendResult();
            send(": keep-alive\n\n");
          }
        }
      } catch (err) {
        if (!closed) {
          log.error({ err }, "event stream failed");
          send(`event: error\ndata: ${JSON.stringify({ code: "stream_failed", message: "The event stream broke; reconnect to resume." })}\n\n`);
          finish();
        }
      }
    },
    cancel: close,
  });
  request.signal.addEventListener("abort", close);
  return new Response(body, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" },
  });
});

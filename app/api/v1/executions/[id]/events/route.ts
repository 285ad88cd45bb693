import { requestedEncoding } from "@/lib/executions/encoding";
import { EventFormatter, readEvents, sseEvent } from "@/lib/executions/events";
import { requestInputEvent } from "@/lib/executions/request-input";
import { isFinal } from "@/lib/executions/status";
import { executionHead, executionJson } from "@/lib/executions/view-stream";
import { sharedStreamReader } from "@/lib/redis/stream-reader";
import { web } from "@/lib/web/context";
import { accessibleExecution } from "@/lib/web/execution-access";
import { openStreamLease } from "@/lib/web/executions";
import { RECHECK_MS } from "@/lib/web/access-recheck";
import { KEEP_ALIVE, serverSentEvents } from "@/lib/web/event-stream";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

export const dynamic = "force-dynamic";

/** Events read from Redis at once: each holds at most EVENT_MAX_BYTES of output. */
const READ_COUNT = 32;

/**
 * GET /api/v1/executions/:id/events[?encoding=base64] -> text/event-stream.
 * A room run's stream starts with `input` (the stdin given with the run
 * request); then `status`, `stdout`, `stderr` (and `stdin`, `notice`) events as they happen,
 * then `result` with the whole execution (read from PostgreSQL: Redis's
 * result event carries no output), then the stream ends. A late client first
 * gets what the live stream still holds; Last-Event-ID resumes after a
 * reconnect. Each open stream counts against the user's stream cap. Events
 * are read and sent only as fast as the client takes them (see pull-stream.ts).
 * Every RECHECK_MS the caller's access is checked again; once it is gone an
 * `error` event (code `access_revoked`) ends the stream.
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db, redis, log } = web();
  const encoding = requestedEncoding(request);
  const id = (await params).id;
  const { caller, execution } = await accessibleExecution(request, id);
  const lease = await openStreamLease(caller.user.id);
  const format = new EventFormatter(encoding);
  const reader = sharedStreamReader(redis);

  async function* result(id?: string): AsyncGenerator<string, void> {
    const rest = format.rest();
    if (rest) yield rest;
    const head = await executionHead(db, execution.id);
    if (!head) return;
    yield `${id ? `id: ${id}\n` : ""}event: result\ndata: `;
    yield* executionJson(db, head, encoding);
    yield "\n\n";
  }

  return serverSentEvents(request, {
    lease,
    access: () => accessibleExecution(request, id),
    log,
    name: "event stream",
    revoked: sseEvent(
      "error",
      JSON.stringify({ code: "access_revoked", message: "You may no longer watch this run: you signed out, your token was revoked, or you left its room." }),
    ),
    failed: "The event stream broke; reconnect to resume.",
    async *events({ lastEventId, signal, checkAccess }) {
      let last = lastEventId ?? "0";
      // Something at once: the headers go out with the first piece.
      yield ": connected\n\n";
      if (last === "0" && execution.status === "queued") yield sseEvent("status", JSON.stringify({ status: execution.status, attempt: execution.attempts }));
      // A room run's input given with its request: shown to every watcher as input (see request-input.ts).
      if (last === "0" && execution.roomId) {
        const input = await requestInputEvent(db, execution.id, encoding);
        if (input) yield input;
      }
      while (!signal.aborted) {
        const batch = await readEvents(reader, execution.id, last, RECHECK_MS, READ_COUNT, signal);
        // After the read (which may wait RECHECK_MS), before anything of it is sent.
        await checkAccess();
        for (const e of batch) {
          if (e.type === "result") return yield* result(e.id);
          last = e.id;
          const text = format.sse(e);
          if (text) yield text;
        }
        if (batch.length === 0) {
          // Nothing new: still running (keep the connection alive), or finished (the stream expired, or its result event was lost).
          const row = await db.execution.findUnique({ where: { id: execution.id }, select: { status: true } });
          if (!row || isFinal(row.status)) return yield* result();
          yield KEEP_ALIVE;
        }
      }
    },
  });
});

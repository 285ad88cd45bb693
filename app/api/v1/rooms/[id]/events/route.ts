import { latestRoomEventId, readRoomEvents } from "@/lib/rooms/events";
import { web } from "@/lib/web/context";
import { pullStream } from "@/lib/executions/pull-stream";
import { openStreamLease } from "@/lib/web/executions";
import { roomForCaller } from "@/lib/web/room-access";
import { accessRecheck, RECHECK_MS } from "@/lib/web/access-recheck";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/rooms/:id/events -> text/event-stream of what happens in the
 * room from now on (members only): `run` {executionId, startedBy, createdAt}
 * when anyone starts a run, `members` when the member list changes, `room`
 * when it is renamed, `deleted` (then the stream ends). Last-Event-ID resumes
 * after a reconnect. Access is checked again every few seconds: a member who
 * is removed, signs out or loses their token gets `removed` and the stream
 * ends. Each open stream counts against the user's stream cap (429
 * too_many_streams beyond it).
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const { redis, log } = web();
  const id = (await params).id;
  const { caller, room } = await roomForCaller(request, id, "read");
  // Asked before anything more is sent, at most every RECHECK_MS (its cost must not follow the room's events).
  const stillAllowed = accessRecheck(() => roomForCaller(request, id, "read"));
  let last = request.headers.get("last-event-id") ?? (await latestRoomEventId(redis, room.id));
  const lease = await openStreamLease(caller.user.id);
  const conn = redis.duplicate();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    conn.disconnect();
    void lease.release();
  };

  // Made only as fast as the client reads (see pull-stream.ts).
  async function* events(): AsyncGenerator<string, void> {
    try {
      yield `event: ready\ndata: {}\n\n`;
      while (!closed) {
        const batch = await readRoomEvents(conn, room.id, last, RECHECK_MS);
        if (!(await stillAllowed())) {
          yield `event: removed\ndata: {}\n\n`;
          return;
        }
        for (const e of batch) {
          yield `id: ${e.id}\nevent: ${e.type}\ndata: ${e.data}\n\n`;
          last = e.id;
          if (e.type === "deleted") return;
        }
        if (batch.length === 0) yield ": keep-alive\n\n";
      }
    } catch (err) {
      if (closed) return;
      log.error({ err }, "room event stream failed");
      yield `event: error\ndata: ${JSON.stringify({ code: "stream_failed", message: "The room's event stream broke; reconnect to resume." })}\n\n`;
    } finally {
      close();
    }
  }

  request.signal.addEventListener("abort", close);
  return new Response(pullStream(events(), { onClose: close }), {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" },
  });
});

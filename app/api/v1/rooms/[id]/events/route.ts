import { roomRole, requireRoomAccess } from "@/lib/rooms/access";
import { latestRoomEventId, readRoomEvents } from "@/lib/rooms/events";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { pullStream } from "@/lib/executions/pull-stream";
import { openStreamLease } from "@/lib/web/executions";
import { roomForCaller } from "@/lib/web/room-access";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/rooms/:id/events -> text/event-stream of what happens in the
 * room from now on (members only): `run` {executionId, startedBy, createdAt}
 * when anyone starts a run, `members` when the member list changes, `room`
 * when it is renamed, `deleted` (then the stream ends). Last-Event-ID resumes
 * after a reconnect. Membership is checked again every few seconds: a member
 * who is removed stops receiving. Each open stream counts against the user's
 * stream cap (429 too_many_streams beyond it).
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db, redis, log } = web();
  const { caller, room } = await roomForCaller(request, (await params).id, "read");
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
        const batch = await readRoomEvents(conn, room.id, last, 5_000);
        for (const e of batch) {
          yield `id: ${e.id}\nevent: ${e.type}\ndata: ${e.data}\n\n`;
          last = e.id;
          if (e.type === "deleted") return;
        }
        if (!(await roomRole(db, room.id, caller.user.id))) {
          yield `event: removed\ndata: {}\n\n`;
          return;
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

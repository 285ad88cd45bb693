import { roomRole, requireRoomAccess } from "@/lib/rooms/access";
import { latestRoomEventId, readRoomEvents } from "@/lib/rooms/events";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
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
  const encoder = new TextEncoder();
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
      send(`event: ready\ndata: {}\n\n`);
      try {
        while (!closed) {
          const events = await readRoomEvents(conn, room.id, last, 5_000);
          for (const e of events) {
            send(`id: ${e.id}\nevent: ${e.type}\ndata: ${e.data}\n\n`);
            last = e.id;
            if (e.type === "deleted") return finish();
          }
          if (!(await roomRole(db, room.id, caller.user.id))) {
            send(`event: removed\ndata: {}\n\n`);
            return finish();
          }
          if (events.length === 0) send(": keep-alive\n\n");
        }
      } catch (err) {
        if (!closed) {
          log.error({ err }, "room event stream failed");
          send(`event: error\ndata: ${JSON.stringify({ code: "stream_failed", message: "The room's event stream broke; reconnect to resume." })}\n\n`);
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

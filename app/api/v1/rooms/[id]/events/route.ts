import { latestRoomEventId, readRoomEvents } from "@/lib/rooms/events";
import { sseEvent } from "@/lib/executions/events";
import { sharedStreamReader } from "@/lib/redis/stream-reader";
import { web } from "@/lib/web/context";
import { openStreamLease } from "@/lib/web/executions";
import { roomForCaller } from "@/lib/web/room-access";
import { RECHECK_MS } from "@/lib/web/access-recheck";
import { KEEP_ALIVE, lastEventIdOf, serverSentEvents } from "@/lib/web/event-stream";
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
  const from = lastEventIdOf(request) ?? (await latestRoomEventId(redis, room.id));
  const lease = await openStreamLease(caller.user.id);
  const reader = sharedStreamReader(redis);

  return serverSentEvents(request, {
    lease,
    access: () => roomForCaller(request, id, "read"),
    log,
    name: "room event stream",
    revoked: sseEvent("removed", "{}"),
    failed: "The room's event stream broke; reconnect to resume.",
    async *events({ signal, checkAccess }) {
      let last = from;
      yield sseEvent("ready", "{}");
      while (!signal.aborted) {
        const batch = await readRoomEvents(reader, room.id, last, RECHECK_MS, signal);
        await checkAccess();
        for (const e of batch) {
          yield sseEvent(e.type, e.data, e.id);
          last = e.id;
          if (e.type === "deleted") return;
        }
        if (batch.length === 0) yield KEEP_ALIVE;
      }
    },
  });
});

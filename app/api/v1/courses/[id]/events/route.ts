import { requireCourseAccess } from "@/lib/classroom/access";
import { latestCourseEventId, readCourseEvents } from "@/lib/classroom/gradebook/course-stream";
import { sseEvent } from "@/lib/executions/events";
import { sharedStreamReader } from "@/lib/redis/stream-reader";
import { RECHECK_MS } from "@/lib/web/access-recheck";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { KEEP_ALIVE, lastEventIdOf, serverSentEvents } from "@/lib/web/event-stream";
import { openStreamLease } from "@/lib/web/executions";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/courses/:id/events -> text/event-stream of the course's events
 * (staff only: they name students): `ready` first, then `grading`,
 * `submission`, `override`, `help` and `regrade` events as appended
 * (lib/classroom/events.ts), each with its stream id so Last-Event-ID resumes
 * after a reconnect. The gradebook and the class view follow it and read what
 * changed from the API. Access is checked again every few seconds: someone
 * removed from the course, made a student, signed out or whose token was
 * revoked gets an `error` event (code access_revoked) and the stream ends. Counts against the user's
 * stream cap (429 too_many_streams).
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db, redis, log } = web();
  const id = (await params).id;
  const caller = await requireCaller(request);
  const { course } = await requireCourseAccess(db, id, caller.user.id, "grade");
  const from = lastEventIdOf(request) ?? (await latestCourseEventId(redis, course.id));
  const lease = await openStreamLease(caller.user.id);
  const reader = sharedStreamReader(redis);

  return serverSentEvents(request, {
    lease,
    access: async () => requireCourseAccess(db, id, (await requireCaller(request)).user.id, "grade"),
    log,
    name: "course event stream",
    revoked: sseEvent(
      "error",
      JSON.stringify({
        code: "access_revoked",
        message: "You may no longer follow this course's events: you left the course, are no longer staff, signed out or your token was revoked.",
      }),
    ),
    failed: "The course's event stream broke; reconnect to resume.",
    async *events({ signal, checkAccess }) {
      let last = from;
      yield sseEvent("ready", "{}");
      while (!signal.aborted) {
        const batch = await readCourseEvents(reader, course.id, last, RECHECK_MS, signal);
        await checkAccess();
        for (const e of batch) {
          yield sseEvent(e.type, e.data, e.id);
          last = e.id;
        }
        if (batch.length === 0) yield KEEP_ALIVE;
      }
    },
  });
});

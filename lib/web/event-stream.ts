import type { Logger } from "pino";
import { sseEvent } from "../executions/events";
import { pullStream } from "../executions/pull-stream";
import { ApiError } from "../http/errors";
import { isStreamId } from "../redis/stream-reader";
import { accessRecheck } from "./access-recheck";

/** SSE comment sent when a read brought nothing: keeps proxies from closing an idle stream. */
export const KEEP_ALIVE = ": keep-alive\n\n";

/** What a stream's own generator gets from serverSentEvents. */
export interface EventStreamContext {
  /** The Last-Event-ID the client sent on reconnecting (null on a first connection). */
  lastEventId: string | null;
  /** Aborted once the client is gone or the stream ended: pass it to reads that wait. */
  signal: AbortSignal;
  /**
   * Call after each read that may have waited, before sending anything of it:
   * asks the route's access check again (at most every RECHECK_MS), and ends
   * the stream with the `revoked` event once the caller may no longer watch.
   */
  checkAccess(): Promise<void>;
}

class AccessLost extends Error {}

/**
 * The Last-Event-ID a reconnecting client sent (null: none), or 400
 * invalid_request: only an id this server gave out is taken (stream-reader.ts
 * says why other forms Redis accepts could hold back other followers).
 */
export function lastEventIdOf(request: Request): string | null {
  const id = request.headers.get("last-event-id");
  if (id === null || isStreamId(id)) return id;
  throw new ApiError(
    400,
    "invalid_request",
    "Last-Event-ID must be the id of an event this stream sent (like 1764230400000-0); reconnect without it to start over.",
  );
}

/**
 * The one way the API serves server-sent events (run events, room events):
 * the headers, Last-Event-ID, the access re-check (access-recheck.ts), the
 * stream lease released exactly once however the stream ends (client gone,
 * body cancelled, generator done or failed), a stream failure turned into an
 * `error` event, and a body made only as fast as the client reads it
 * (pull-stream.ts). The route's generator says only what its events are.
 */
export function serverSentEvents(
  request: Request,
  opts: {
    /** The stream's place under the user's stream cap. */
    lease: { release(): unknown };
    /** The request's own access check (throws an ApiError when refused); repeated while the stream lasts. */
    access: () => Promise<unknown>;
    log: Logger;
    /** Names the stream in the log. */
    name: string;
    /** The SSE text sent when access is gone, before the stream ends. */
    revoked: string;
    /** The message of the `error` event (code stream_failed) sent when the stream breaks. */
    failed: string;
    events: (ctx: EventStreamContext) => AsyncGenerator<string, void>;
  },
): Response {
  let lastEventId: string | null;
  try {
    lastEventId = lastEventIdOf(request);
  } catch (err) {
    // Refused before any stream exists: its place under the cap is given back here.
    void opts.lease.release();
    throw err;
  }
  const stillAllowed = accessRecheck(opts.access);
  const ended = new AbortController();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    ended.abort();
    void opts.lease.release();
  };
  const ctx: EventStreamContext = {
    lastEventId,
    signal: ended.signal,
    checkAccess: async () => {
      if (!(await stillAllowed())) throw new AccessLost();
    },
  };

  async function* body(): AsyncGenerator<string, void> {
    try {
      yield* opts.events(ctx);
    } catch (err) {
      if (closed) return;
      if (err instanceof AccessLost) {
        yield opts.revoked;
        return;
      }
      opts.log.error({ err }, `${opts.name} failed`);
      yield sseEvent("error", JSON.stringify({ code: "stream_failed", message: opts.failed }));
    } finally {
      close();
    }
  }

  request.signal.addEventListener("abort", close, { once: true });
  return new Response(pullStream(body(), { onClose: close }), {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" },
  });
}

"use client";

import { useEffect, useRef, useState } from "react";

export type LiveState = "connecting" | "live" | "disconnected";

export interface CourseEventMessage {
  type: "grading" | "submission" | "override" | "help" | "regrade";
  data: { assignmentId: string; [key: string]: unknown };
}

const TYPES = ["grading", "submission", "override", "help", "regrade"] as const;

/**
 * Follows the course's event stream (GET /api/v1/courses/:id/events, staff
 * only). EventSource reconnects by itself and sends Last-Event-ID, so nothing
 * appended meanwhile is lost; `live` is shown once the server said `ready`.
 * Access lost (an `error` event with a code) closes it for good.
 */
export function useCourseEvents(courseId: string, onEvent: (e: CourseEventMessage) => void): LiveState {
  const [state, setState] = useState<LiveState>("connecting");
  const handler = useRef(onEvent);
  handler.current = onEvent;

  useEffect(() => {
    const source = new EventSource(`/api/v1/courses/${courseId}/events`);
    source.addEventListener("ready", () => setState("live"));
    for (const type of TYPES) {
      source.addEventListener(type, (e) => {
        try {
          handler.current({ type, data: JSON.parse((e as MessageEvent).data) });
        } catch {
          // A malformed event changes nothing on the page.
        }
      });
    }
    source.addEventListener("error", (e) => {
      // The server's own `error` event (with data) ends the stream: access lost, or the stream broke.
      if ((e as MessageEvent).data) source.close();
      setState(source.readyState === EventSource.CLOSED ? "disconnected" : "connecting");
    });
    return () => source.close();
  }, [courseId]);

  return state;
}

const LABEL: Record<LiveState, string> = {
  connecting: "Connecting…",
  live: "Live: new grades appear as they finish",
  disconnected: "Disconnected: reload to see new grades",
};

export function LiveIndicator({ state }: { state: LiveState }) {
  return (
    <span className={`connection ${state === "live" ? "" : state}`} role="status" data-testid="live-state" data-state={state}>
      <span className="status-dot" />
      {LABEL[state]}
    </span>
  );
}

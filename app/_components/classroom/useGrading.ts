"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { GradingView } from "@/lib/classroom/submissions/grading-view";
import { api, ApiFailure } from "../room/api";

/**
 * Follows one grading until it is finished or failed, by polling
 * GET /api/v1/gradings/:id (every second, every 3 s after the first
 * minute). Polling, not a stream: a grading changes state at most three
 * times, a student follows one at a time, and a poll needs no event-stream
 * place (those are capped per user and the room's run panel already holds
 * some); the course's event stream is staff-only, so there is no student
 * stream to follow anyway. A failed poll is retried on the next tick.
 */
export function useGrading(onDone?: (view: GradingView) => void) {
  const [view, setView] = useState<GradingView>();
  const [error, setError] = useState<string>();
  const [gradingId, setGradingId] = useState<string>();
  const done = useRef(onDone);
  done.current = onDone;

  useEffect(() => {
    if (!gradingId) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const started = Date.now();
    const poll = async () => {
      try {
        const next = await api<GradingView>(`/api/v1/gradings/${gradingId}`);
        if (stopped) return;
        setView(next);
        setError(undefined);
        if (next.status === "finished" || next.status === "failed") {
          done.current?.(next);
          return;
        }
      } catch (err) {
        if (stopped) return;
        setError(err instanceof ApiFailure ? err.message : "Could not read the grading; trying again.");
      }
      timer = setTimeout(() => void poll(), Date.now() - started > 60_000 ? 3000 : 1000);
    };
    void poll();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [gradingId]);

  const follow = useCallback((id: string) => {
    setView(undefined);
    setError(undefined);
    setGradingId(id);
  }, []);
  return { view, error, follow, gradingId };
}

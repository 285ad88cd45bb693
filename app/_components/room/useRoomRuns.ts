"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { ExecutionStatus } from "@/lib/executions/status";
import { api } from "./api";

export interface RunView {
  id: string;
  status: ExecutionStatus;
  startedBy?: { id: string; username: string };
  exitCode?: number | null;
  signal?: string | null;
  wallTimeMs?: number | null;
  cpuTimeMs?: number | null;
  memoryKb?: number | null;
  truncated?: boolean;
  compileOutput?: string | null;
  createdAt?: string;
  /** Something the watchers should know, e.g. that output is no longer streamed live (the `notice` event). */
  notice?: string;
  /** Output in arrival order, each piece tagged with its stream. */
  output: Array<{ stream: "stdout" | "stderr" | "stdin"; text: string }>;
}

/**
 * The room's runs as everyone sees them: the room's event stream says when
 * anyone starts one, and each run's own event stream brings its output live
 * to every member. History comes from GET /api/v1/rooms/:id/runs.
 */
export function useRoomRuns(roomId: string) {
  const [current, setCurrent] = useState<RunView>();
  const [history, setHistory] = useState<RunView[]>([]);
  const following = useRef<EventSource | undefined>(undefined);

  const refreshHistory = useCallback(() => {
    api<{ runs: RunView[] }>(`/api/v1/rooms/${roomId}/runs`)
      .then(({ runs }) => setHistory(runs.map((r) => ({ ...r, output: [] }))))
      .catch(() => undefined);
  }, [roomId]);

  const follow = useCallback(
    (id: string, startedBy?: RunView["startedBy"]) => {
      following.current?.close();
      setCurrent({ id, status: "queued", startedBy, output: [] });
      const source = new EventSource(`/api/v1/executions/${id}/events`);
      following.current = source;
      const update = (fn: (run: RunView) => RunView) => setCurrent((run) => (run && run.id === id ? fn(run) : run));
      source.addEventListener("status", (e) => {
        const { status } = JSON.parse((e as MessageEvent).data) as { status: ExecutionStatus | "compiled" };
        update((run) => ({ ...run, status: status === "compiled" ? "running" : status }));
      });
      for (const stream of ["stdout", "stderr", "stdin"] as const) {
        source.addEventListener(stream, (e) => {
          const text = JSON.parse((e as MessageEvent).data) as string;
          update((run) => ({ ...run, output: [...run.output, { stream, text }] }));
        });
      }
      source.addEventListener("notice", (e) => {
        const { message } = JSON.parse((e as MessageEvent).data) as { message: string };
        update((run) => ({ ...run, notice: message }));
      });
      source.addEventListener("result", (e) => {
        const result = JSON.parse((e as MessageEvent).data) as RunView & { stdout: string; stderr: string };
        // The stored result is complete even when this tab joined late or missed pieces (the live
        // stream keeps only the latest part of a long output, and stops when the account's output
        // budget is spent): the streamed pieces stay only when they add up to the stored output.
        update((run) => {
          const streamed = (stream: "stdout" | "stderr") =>
            run.output
              .filter((p) => p.stream === stream)
              .map((p) => p.text)
              .join("");
          const whole = streamed("stdout") === result.stdout && streamed("stderr") === result.stderr;
          const stored = [
            ...(result.stdout ? [{ stream: "stdout" as const, text: result.stdout }] : []),
            ...(result.stderr ? [{ stream: "stderr" as const, text: result.stderr }] : []),
          ];
          return { ...run, ...result, output: whole ? run.output : stored };
        });
        source.close();
        refreshHistory();
      });
    },
    [refreshHistory],
  );

  useEffect(() => {
    refreshHistory();
    const events = new EventSource(`/api/v1/rooms/${roomId}/events`);
    events.addEventListener("run", (e) => {
      const { executionId, startedBy } = JSON.parse((e as MessageEvent).data) as { executionId: string; startedBy: RunView["startedBy"] };
      follow(executionId, startedBy);
      refreshHistory();
    });
    events.addEventListener("deleted", () => window.location.assign("/"));
    events.addEventListener("removed", () => window.location.assign("/"));
    return () => {
      events.close();
      following.current?.close();
    };
  }, [roomId, follow, refreshHistory]);

  return { current, history, follow };
}

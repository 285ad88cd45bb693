"use client";

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { ExecutionStatus } from "@/lib/executions/status";
import { api } from "./api";
import type { OutputPiece } from "./output/output-text";

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
  /** Output in arrival order, each piece tagged with its stream (the compiler's output first, once known). */
  output: OutputPiece[];
}

/**
 * The room's runs as everyone sees them: the room's event stream says when
 * anyone starts one, and each run's own event stream brings its output live
 * to every member. History comes from GET /api/v1/rooms/:id/runs. A page
 * opened after a run shows the latest run (its stored output). The run
 * followed is the one truth about its status: its entry in the history shows
 * the same.
 */
export function useRoomRuns(roomId: string) {
  const [current, setCurrent] = useState<RunView>();
  const [listed, setListed] = useState<RunView[]>([]);
  const following = useRef<EventSource | undefined>(undefined);
  const history = useRef<RunView[]>([]);
  history.current = listed;

  const refreshHistory = useCallback(
    () =>
      api<{ runs: RunView[] }>(`/api/v1/rooms/${roomId}/runs`)
        .then(({ runs }) => {
          const list = runs.map((r) => ({ ...r, output: [] }));
          setListed(list);
          return list;
        })
        .catch(() => undefined),
    [roomId],
  );

  const follow = useCallback(
    (id: string, startedBy?: RunView["startedBy"]) => {
      following.current?.close();
      // What the list already knows about the run (its status, who started it) until its stream says more.
      const known = history.current.find((r) => r.id === id);
      setCurrent({ ...known, id, status: known?.status ?? "queued", startedBy: startedBy ?? known?.startedBy, output: [] });
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
      // The input given with the run request, sent first: shown as input, like input typed live.
      source.addEventListener("input", (e) => {
        const text = JSON.parse((e as MessageEvent).data) as string;
        update((run) => ({ ...run, output: [...run.output, { stream: "stdin", text, ahead: true }] }));
      });
      source.addEventListener("notice", (e) => {
        const { message } = JSON.parse((e as MessageEvent).data) as { message: string };
        update((run) => ({ ...run, notice: message }));
      });
      source.addEventListener("result", (e) => {
        const result = JSON.parse((e as MessageEvent).data) as RunView & { stdout: string; stderr: string };
        // The stored result is complete even when this tab joined late or missed pieces (the live
        // stream keeps only the latest part of a long output, and stops when the account's output
        // budget is spent): the streamed pieces stay only when they add up to the stored output.
        // The stored result does not say how output and input interleaved: input given with the
        // request goes first (the program had it from the start), then stdout, then stderr.
        update((run) => {
          const streamed = (stream: "stdout" | "stderr") =>
            run.output
              .filter((p) => p.stream === stream)
              .map((p) => p.text)
              .join("");
          const whole = streamed("stdout") === result.stdout && streamed("stderr") === result.stderr;
          const stored: OutputPiece[] = [
            ...run.output.filter((p) => p.ahead),
            ...(result.stdout ? [{ stream: "stdout" as const, text: result.stdout }] : []),
            ...(result.stderr ? [{ stream: "stderr" as const, text: result.stderr }] : []),
          ];
          const compile: OutputPiece[] = result.compileOutput ? [{ stream: "compile", text: result.compileOutput }] : [];
          return { ...run, ...result, output: [...compile, ...(whole ? run.output : stored)] };
        });
        source.close();
        void refreshHistory();
      });
    },
    [refreshHistory],
  );

  useEffect(() => {
    let opened = false;
    // A page opened after runs: show the latest (its stored output, or its live output if it still runs).
    void refreshHistory().then((list) => {
      if (!opened && list?.[0] && !following.current) follow(list[0].id, list[0].startedBy);
    });
    const events = new EventSource(`/api/v1/rooms/${roomId}/events`);
    events.addEventListener("run", (e) => {
      const { executionId, startedBy } = JSON.parse((e as MessageEvent).data) as { executionId: string; startedBy: RunView["startedBy"] };
      opened = true;
      follow(executionId, startedBy);
      void refreshHistory();
    });
    events.addEventListener("deleted", () => window.location.assign("/"));
    events.addEventListener("removed", () => window.location.assign("/"));
    return () => {
      opened = true;
      events.close();
      following.current?.close();
      following.current = undefined;
    };
  }, [roomId, follow, refreshHistory]);

  // One truth: the run followed live says its status in the list too (the list is fetched only now and then).
  const merged = useMemo(() => listed.map((r) => (current && r.id === current.id ? { ...r, status: current.status } : r)), [listed, current]);

  return { current, history: merged, follow };
}

"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { ExecutionStatus } from "@/lib/executions/status";
import { api } from "../api";

export interface TerminalInfo {
  id: string;
  status: ExecutionStatus;
  startedBy: { id: string; username: string };
  startedAt: string | null;
  createdAt: string;
  maxSeconds: number;
  idleSeconds: number;
  lastInputAt: string | null;
}

/** What the terminal's watchers are told: output to show, that a new terminal began, or that it ended. */
export interface TerminalSink {
  begin(id: string): void;
  write(text: string): void;
  ended(status: ExecutionStatus): void;
}

/**
 * The room's shared terminal as every member sees it: GET /api/v1/rooms/:id/terminal
 * when the page opens and whenever the room's event stream says a terminal
 * started or ended, and the terminal's output from its execution event stream
 * (the run's SSE route), written into the sink as it comes.
 */
export function useRoomTerminal(roomId: string, sink: TerminalSink) {
  const [terminal, setTerminal] = useState<TerminalInfo | null>(null);
  const [ended, setEnded] = useState<ExecutionStatus>();
  const following = useRef<{ id: string; source: EventSource }>(undefined);
  const latestSink = useRef(sink);
  latestSink.current = sink;
  // Set below: the terminal's status event makes the page fetch its start time (for the countdowns).
  const refreshRef = useRef<() => Promise<void>>(undefined);

  const follow = useCallback((id: string) => {
    if (following.current?.id === id) return;
    following.current?.source.close();
    setEnded(undefined);
    latestSink.current.begin(id);
    const source = new EventSource(`/api/v1/executions/${id}/events`);
    following.current = { id, source };
    source.addEventListener("status", (e) => {
      const { status } = JSON.parse((e as MessageEvent).data) as { status: string };
      if (status === "running") void refreshRef.current?.();
    });
    for (const stream of ["stdout", "stderr"] as const) {
      source.addEventListener(stream, (e) => latestSink.current.write(JSON.parse((e as MessageEvent).data) as string));
    }
    source.addEventListener("result", (e) => {
      const { status } = JSON.parse((e as MessageEvent).data) as { status: ExecutionStatus };
      source.close();
      setEnded(status);
      setTerminal((t) => (t && t.id === id ? null : t));
      latestSink.current.ended(status);
    });
  }, []);

  const refresh = useCallback(async () => {
    const { terminal: now } = await api<{ terminal: TerminalInfo | null }>(`/api/v1/rooms/${roomId}/terminal`).catch(() => ({ terminal: undefined }));
    if (now === undefined) return;
    setTerminal(now);
    if (now) follow(now.id);
  }, [roomId, follow]);

  refreshRef.current = refresh;

  useEffect(() => {
    void refresh();
    const events = new EventSource(`/api/v1/rooms/${roomId}/events`);
    events.addEventListener("terminal", () => void refresh());
    // The countdowns follow when anyone last typed.
    const timer = setInterval(() => void refresh(), 10_000);
    return () => {
      events.close();
      clearInterval(timer);
      following.current?.source.close();
      following.current = undefined;
    };
  }, [roomId, refresh]);

  return { terminal, ended, refresh, setTerminal };
}

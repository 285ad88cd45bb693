"use client";

import { useCallback, useEffect, useRef } from "react";
import { api, ApiFailure } from "../api";

/** Keys are gathered this long and sent in one request (the input route takes 40 requests a second per user). */
const GATHER_MS = 30;
/** What one request carries at most (the route takes 16 KiB; a longer paste goes in pieces). */
const PIECE_CHARS = 4096;

/**
 * Sends keys typed and window sizes to the room's terminal in order, one
 * request at a time: keys typed while a request is on its way go in the next.
 */
export function useInputSender(roomId: string, terminalId: string | undefined, enabled: boolean, onError: (message: string | undefined) => void) {
  const queue = useRef<{ data: string; size?: { cols: number; rows: number } }>({ data: "" });
  const sending = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const target = useRef({ roomId, terminalId, enabled });
  target.current = { roomId, terminalId, enabled };

  const flush = useCallback(async () => {
    timer.current = undefined;
    if (sending.current) return;
    sending.current = true;
    try {
      while (queue.current.data || queue.current.size) {
        const { roomId: room, terminalId: id, enabled: on } = target.current;
        if (!id || !on) {
          queue.current = { data: "" };
          break;
        }
        const data = queue.current.data.slice(0, PIECE_CHARS);
        const size = queue.current.size;
        queue.current = { data: queue.current.data.slice(data.length) };
        try {
          await api(`/api/v1/rooms/${room}/terminal/input`, { method: "POST", body: { terminalId: id, ...(data ? { data } : {}), ...(size ?? {}) } });
          onError(undefined);
        } catch (err) {
          if (err instanceof ApiFailure && err.code === "rate_limited") {
            // Too fast: put it back and try again shortly.
            queue.current = { data: data + queue.current.data, size: queue.current.size ?? size };
            await new Promise((r) => setTimeout(r, 500));
          } else {
            onError(err instanceof ApiFailure ? err.message : "Could not send what you typed.");
          }
        }
      }
    } finally {
      sending.current = false;
    }
  }, [onError]);

  // The size is sent again for every new terminal (its pseudo-terminal starts at 80x24).
  const lastSize = useRef<{ cols: number; rows: number }>(undefined);
  useEffect(() => {
    if (terminalId && enabled && lastSize.current) {
      queue.current.size = lastSize.current;
      void flush();
    }
  }, [terminalId, enabled, flush]);

  return useCallback(
    (input: { data: string } | { cols: number; rows: number }) => {
      if ("data" in input) queue.current.data += input.data;
      else {
        lastSize.current = input;
        queue.current.size = input;
      }
      if (!target.current.enabled) return;
      timer.current ??= setTimeout(() => void flush(), GATHER_MS);
    },
    [flush],
  );
}

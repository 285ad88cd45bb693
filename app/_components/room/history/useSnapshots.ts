"use client";

import { useCallback, useEffect, useState } from "react";
import { api, ApiFailure } from "../api";

/** A snapshot as listed by GET /api/v1/rooms/:id/snapshots. */
export interface SnapshotEntry {
  id: string;
  kind: "manual" | "run";
  name: string | null;
  createdBy: { id: string; username: string } | null;
  executionId: string | null;
  bytes: number;
  createdAt: string;
}

/** How often the open panel looks for snapshots others saved or runs took. */
const REFRESH_MS = 10_000;

/** The room's snapshots, newest first, reloaded while the panel is open and after each change made here. */
export function useSnapshots(roomId: string, open: boolean) {
  const [snapshots, setSnapshots] = useState<SnapshotEntry[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string>();

  const reload = useCallback(async () => {
    try {
      const res = await api<{ snapshots: SnapshotEntry[] }>(`/api/v1/rooms/${roomId}/snapshots`);
      setSnapshots(res.snapshots);
      setError(undefined);
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "Could not load the room's history.");
    } finally {
      setLoaded(true);
    }
  }, [roomId]);

  useEffect(() => {
    if (!open) return;
    void reload();
    const timer = setInterval(() => void reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload, open]);

  return { snapshots, loaded, error, reload };
}

/** What a snapshot is called in the list: its name, or who ran the files. */
export function snapshotLabel(s: SnapshotEntry): string {
  if (s.kind === "manual") return s.name ?? "Unnamed snapshot";
  return `Run by ${s.createdBy?.username ?? "a former member"}`;
}

"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { api, ApiFailure } from "../room/api";

export interface RoomRow {
  id: string;
  name: string;
  language: string;
  role: "viewer" | "editor" | "owner";
  members: number;
  updatedAt: string;
}

/**
 * The rooms I belong to, with my role in each, one page at a time (most
 * recently used first; "Show more" fetches the next page). The owner can
 * rename and delete; anyone else can leave.
 */
export function RoomList(props: { rooms: RoomRow[]; nextCursor: string | null; total: number }) {
  const router = useRouter();
  const [rooms, setRooms] = useState(props.rooms);
  const [nextCursor, setNextCursor] = useState(props.nextCursor);
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);

  // A refresh from the server (after renaming, deleting, leaving) starts again from the first page.
  useEffect(() => {
    setRooms(props.rooms);
    setNextCursor(props.nextCursor);
  }, [props.rooms, props.nextCursor]);

  async function act(fn: () => Promise<unknown>) {
    setError(undefined);
    try {
      await fn();
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "That did not work; try again.");
    }
  }

  async function more() {
    if (!nextCursor) return;
    setLoading(true);
    setError(undefined);
    try {
      const page = await api<{ rooms: RoomRow[]; nextCursor: string | null }>(`/api/v1/rooms?cursor=${encodeURIComponent(nextCursor)}`);
      setRooms((shown) => [...shown, ...page.rooms.filter((r) => !shown.some((s) => s.id === r.id))]);
      setNextCursor(page.nextCursor);
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "Could not load more rooms.");
    } finally {
      setLoading(false);
    }
  }

  const rename = (room: RoomRow) => {
    const name = window.prompt("New name for the room", room.name);
    if (name && name.trim() !== room.name) void act(() => api(`/api/v1/rooms/${room.id}`, { method: "PATCH", body: { name } }));
  };
  const remove = (room: RoomRow) => {
    if (window.confirm(`Delete "${room.name}" with its files and runs, for every member? This cannot be undone.`)) {
      void act(() => api(`/api/v1/rooms/${room.id}`, { method: "DELETE" }));
    }
  };
  const leave = (room: RoomRow) => {
    if (window.confirm(`Leave "${room.name}"? You will need a new invitation or link to come back.`)) {
      void act(() => api(`/api/v1/rooms/${room.id}/members/me`, { method: "DELETE" }));
    }
  };

  if (rooms.length === 0) {
    return (
      <div className="empty" role="status">
        <p>You have no rooms yet. Create one above, or open a share link someone sent you.</p>
      </div>
    );
  }
  return (
    <>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <ul className="room-list" data-testid="room-list">
        {rooms.map((room) => (
          <li key={room.id}>
            <Link href={`/rooms/${room.id}`} className="room-name">
              {room.name}
            </Link>
            <span className="tag">{room.language}</span>
            <span className={`role role-${room.role}`}>{room.role}</span>
            <span className="muted">
              {room.members} member{room.members === 1 ? "" : "s"} · {new Date(room.updatedAt).toLocaleString()}
            </span>
            <span className="row-actions">
              {room.role === "owner" ? (
                <>
                  <button type="button" onClick={() => rename(room)} aria-label={`Rename ${room.name}`}>
                    Rename
                  </button>
                  <button type="button" className="danger" onClick={() => remove(room)} aria-label={`Delete ${room.name}`}>
                    Delete
                  </button>
                </>
              ) : (
                <button type="button" className="secondary" onClick={() => leave(room)} aria-label={`Leave ${room.name}`}>
                  Leave
                </button>
              )}
            </span>
          </li>
        ))}
      </ul>
      <p className="muted" data-testid="room-count">
        Showing {rooms.length} of {Math.max(props.total, rooms.length)} room{props.total === 1 ? "" : "s"}.
        {nextCursor && (
          <>
            {" "}
            <button type="button" onClick={() => void more()} disabled={loading} data-testid="more-rooms">
              {loading ? "Loading…" : "Show more"}
            </button>
          </>
        )}
      </p>
    </>
  );
}

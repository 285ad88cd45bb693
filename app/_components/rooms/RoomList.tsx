"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, ApiFailure } from "../room/api";

export interface RoomRow {
  id: string;
  name: string;
  language: string;
  role: "viewer" | "editor" | "owner";
  members: number;
  updatedAt: string;
}

/** The rooms I belong to, with my role in each; the owner can rename and delete. */
export function RoomList({ rooms }: { rooms: RoomRow[] }) {
  const router = useRouter();
  const [error, setError] = useState<string>();

  async function act(fn: () => Promise<unknown>) {
    setError(undefined);
    try {
      await fn();
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "That did not work; try again.");
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
            {room.role === "owner" && (
              <span className="row-actions">
                <button type="button" onClick={() => rename(room)} aria-label={`Rename ${room.name}`}>
                  Rename
                </button>
                <button type="button" className="danger" onClick={() => remove(room)} aria-label={`Delete ${room.name}`}>
                  Delete
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

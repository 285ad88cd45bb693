"use client";

import { useState } from "react";
import { api, ApiFailure } from "../room/api";

/**
 * Leaves the room (any member but its owner) and goes back to the workspace.
 * `disconnect` first closes this page's room socket: leaving makes the room
 * server close a member's sockets with "your role changed", which would
 * otherwise reload this page (into a room it is no longer in) before the
 * workspace opens.
 */
export function LeaveRoomButton({ roomId, roomName, disconnect }: { roomId: string; roomName: string; disconnect(): void }) {
  const [busy, setBusy] = useState(false);
  const leave = async () => {
    if (!window.confirm(`Leave "${roomName}"? You will need a new invitation or link to come back.`)) return;
    setBusy(true);
    disconnect();
    try {
      await api(`/api/v1/rooms/${roomId}/members/me`, { method: "DELETE" });
      window.location.assign("/");
    } catch (err) {
      window.alert(err instanceof ApiFailure ? err.message : "Could not leave the room; try again.");
      // Still a member: the page connects again.
      window.location.reload();
    }
  };
  return (
    <button type="button" className="secondary" onClick={() => void leave()} disabled={busy} data-testid="leave-room">
      {busy ? "Leaving…" : "Leave room"}
    </button>
  );
}

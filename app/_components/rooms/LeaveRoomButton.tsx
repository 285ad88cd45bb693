"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, ApiFailure } from "../room/api";

/** Leaves the room (any member but its owner) and goes back to the workspace. */
export function LeaveRoomButton({ roomId, roomName }: { roomId: string; roomName: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const leave = async () => {
    if (!window.confirm(`Leave "${roomName}"? You will need a new invitation or link to come back.`)) return;
    setBusy(true);
    try {
      await api(`/api/v1/rooms/${roomId}/members/me`, { method: "DELETE" });
      router.push("/");
    } catch (err) {
      window.alert(err instanceof ApiFailure ? err.message : "Could not leave the room; try again.");
      setBusy(false);
    }
  };
  return (
    <button type="button" className="secondary" onClick={() => void leave()} disabled={busy} data-testid="leave-room">
      {busy ? "Leaving…" : "Leave room"}
    </button>
  );
}

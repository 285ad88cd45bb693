"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, ApiFailure } from "../room/api";

/** Replay or discard one dead letter, then show the page afresh. */
export function DeadLetterActions({ executionId, afterDiscard }: { executionId: string; afterDiscard?: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();

  const act = async (what: "replay" | "discard") => {
    if (what === "discard" && !window.confirm("Discard this dead letter? The run keeps internal_error as its result.")) return;
    setBusy(true);
    setError(undefined);
    try {
      if (what === "replay") {
        await api(`/api/v1/admin/dead-letters/${executionId}/replay`, { method: "POST" });
        setMessage("Queued again.");
      } else {
        await api(`/api/v1/admin/dead-letters/${executionId}`, { method: "DELETE" });
        setMessage("Discarded.");
      }
      if (what === "discard" && afterDiscard) router.push(afterDiscard);
      else router.refresh();
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "That did not work; try again.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <span className="row-actions">
      {message && (
        <span className="muted" role="status">
          {message}
        </span>
      )}
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
      <button type="button" disabled={busy} data-testid={`replay-${executionId}`} onClick={() => void act("replay")}>
        Replay
      </button>
      <button type="button" className="danger" disabled={busy} data-testid={`discard-${executionId}`} onClick={() => void act("discard")}>
        Discard
      </button>
    </span>
  );
}

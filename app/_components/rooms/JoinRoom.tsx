"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { api, ApiFailure } from "../room/api";

const KEY = "sam:join-token";

/**
 * Joins the room a share link grants. Someone not signed in is sent to sign
 * in first; the token waits in this tab's session storage (a redirect would
 * drop the fragment) and the join finishes when they come back here.
 */
export function JoinRoom() {
  const router = useRouter();
  const [message, setMessage] = useState("Joining the room…");
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    const fromLink = window.location.hash.slice(1);
    const token = fromLink || window.sessionStorage.getItem(KEY) || "";
    if (!token) {
      setFailed(true);
      setMessage("This link holds no invitation. Ask the room's owner to send the whole link.");
      return;
    }
    api<{ roomId: string; role: string }>("/api/v1/share-links/join", { method: "POST", body: { token } })
      .then(({ roomId }) => {
        window.sessionStorage.removeItem(KEY);
        router.replace(`/rooms/${roomId}`);
      })
      .catch((err) => {
        if (err instanceof ApiFailure && err.status === 401) {
          window.sessionStorage.setItem(KEY, token);
          router.replace(`/signin?callbackUrl=${encodeURIComponent("/join")}`);
          return;
        }
        window.sessionStorage.removeItem(KEY);
        setFailed(true);
        setMessage(err instanceof ApiFailure ? err.message : "Could not join the room.");
      });
  }, [router]);

  return (
    <p role={failed ? "alert" : "status"} className={failed ? "error" : undefined} data-testid="join-status">
      {message}
    </p>
  );
}

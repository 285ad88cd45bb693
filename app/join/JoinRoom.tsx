"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { SignInForm } from "../_components/SignInForm";
import { api, ApiFailure } from "../_components/room/api";
import { Invitation } from "./Invitation";
import { type LinkPreview, previewLink, TOKEN_KEY } from "./invitation";

type Step = { kind: "joining" } | { kind: "invited"; preview: LinkPreview } | { kind: "failed"; message: string };

/**
 * Joins the room a share link grants. Signed in: straight into the room.
 * Signed out: the page says which room invites them, who shared it and with
 * what role, and offers to sign in (or sign up) right here; the token waits
 * in this tab's session storage, and the join finishes when they come back
 * to /join signed in. A dead link says so before anyone signs in for nothing.
 */
export function JoinRoom({ signedIn, github }: { signedIn: boolean; github: boolean }) {
  const router = useRouter();
  const [step, setStep] = useState<Step>({ kind: "joining" });

  useEffect(() => {
    const token = window.location.hash.slice(1) || window.sessionStorage.getItem(TOKEN_KEY) || "";
    if (!token) {
      setStep({ kind: "failed", message: "This link holds no invitation. Ask the room's owner to send the whole link." });
      return;
    }
    const failed = (err: unknown, fallback: string) => {
      // A dead link stays dead; anything else (too many look-ups, the network) may work on a retry.
      if (err instanceof ApiFailure && err.status === 404) window.sessionStorage.removeItem(TOKEN_KEY);
      setStep({ kind: "failed", message: err instanceof ApiFailure ? err.message : fallback });
    };
    const invite = () => {
      window.sessionStorage.setItem(TOKEN_KEY, token);
      previewLink(token)
        .then((preview) => setStep({ kind: "invited", preview }))
        .catch((err) => failed(err, "Could not read the invitation."));
    };
    if (!signedIn) {
      invite();
      return;
    }
    api<{ roomId: string; role: string }>("/api/v1/share-links/join", { method: "POST", body: { token } })
      .then(({ roomId }) => {
        window.sessionStorage.removeItem(TOKEN_KEY);
        router.replace(`/rooms/${roomId}`);
      })
      .catch((err) => {
        // The session ended since the page was rendered: sign in again, as a signed-out visitor would.
        if (err instanceof ApiFailure && err.status === 401) invite();
        else failed(err, "Could not join the room.");
      });
  }, [router, signedIn]);

  if (step.kind === "invited") {
    return (
      <>
        <Invitation preview={step.preview} />
        <p className="muted join-next">Sign in or create an account to join; you go straight into the room afterwards.</p>
        <SignInForm callbackUrl="/join" github={github} />
      </>
    );
  }
  return (
    <p role={step.kind === "failed" ? "alert" : "status"} className={step.kind === "failed" ? "error" : undefined} data-testid="join-status">
      {step.kind === "failed" ? step.message : "Joining the room…"}
    </p>
  );
}

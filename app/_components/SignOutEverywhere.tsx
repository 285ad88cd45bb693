"use client";

import { signOut } from "next-auth/react";
import { useState } from "react";
import { api, ApiFailure } from "./room/api";

/** Ends every sign-in of this account (other browsers, copied cookies) and revokes its API tokens, then signs out here. */
export function SignOutEverywhere() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return (
    <div className="stack">
      <p className="hint">
        Signed in somewhere you no longer use, or worried someone copied your session? This signs you out on every device and revokes your API tokens.
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="inline-form">
        <button
          type="button"
          className="danger"
          disabled={busy}
          data-testid="sign-out-everywhere"
          onClick={() => {
            if (!window.confirm("Sign out on every device and revoke all your API tokens?")) return;
            setBusy(true);
            setError(undefined);
            api("/api/v1/me/sessions", { method: "DELETE" })
              .then(() => signOut({ callbackUrl: "/signin" }))
              .catch((err) => {
                setError(err instanceof ApiFailure ? err.message : "That did not work; try again.");
                setBusy(false);
              });
          }}
        >
          {busy ? "Signing out…" : "Sign out everywhere"}
        </button>
      </div>
    </div>
  );
}

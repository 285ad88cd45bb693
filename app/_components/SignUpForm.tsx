"use client";

import { signIn } from "next-auth/react";
import Link from "next/link";
import { FormFooter } from "./FormFooter";
import { useEffect, useState, type FormEvent } from "react";
import { createAccount } from "../signup/actions";
import { PASSWORD_MIN } from "@/lib/accounts/credentials";
import { safeCallbackUrl } from "@/lib/auth/callback-url";

/** Sign-up; with registration by invite (or closed) it asks for the invite, prefilled from an invite link's `#invite=...`. */
export function SignUpForm(props: { callbackUrl: string; registration: "open" | "invite" | "closed" }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [invite, setInvite] = useState("");
  const needsInvite = props.registration !== "open";

  useEffect(() => {
    // The invite travels in the fragment, which browsers never send to a server.
    const fromLink = new URLSearchParams(window.location.hash.slice(1)).get("invite");
    if (fromLink) setInvite(fromLink);
  }, []);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const username = String(form.get("username") ?? "");
    const password = String(form.get("password") ?? "");
    if (password !== String(form.get("confirm") ?? "")) {
      setError("The two passwords differ.");
      return;
    }
    setBusy(true);
    setError(undefined);
    const created = await createAccount({ username, password, ...(needsInvite ? { invite } : {}) });
    if (!created.ok) {
      setBusy(false);
      setError(created.message);
      return;
    }
    const result = await signIn("credentials", { username, password, redirect: false });
    if (result?.ok && !result.error) {
      window.location.assign(safeCallbackUrl(props.callbackUrl, window.location.origin));
      return;
    }
    setBusy(false);
    setError("Your account was created, but signing in failed. Try signing in.");
  }

  return (
    <>
      {needsInvite && (
        <p className="notice" data-testid="registration-notice">
          {props.registration === "closed"
            ? "Registration on this server is closed. You need an invite link from its administrator."
            : "Signing up here needs an invite link from someone who has an account."}
        </p>
      )}
      <form className="stack" onSubmit={onSubmit} aria-label="Create account">
        {needsInvite && (
          <label>
            Invite
            <input name="invite" value={invite} onChange={(e) => setInvite(e.target.value)} required autoComplete="off" />
            <span className="hint">The part of your invite link after #invite=</span>
          </label>
        )}
        <label>
          Username
          <input name="username" autoComplete="username" required minLength={3} maxLength={32} pattern="[A-Za-z0-9_\-]{3,32}" autoFocus />
          <span className="hint">3–32 letters, digits, - or _</span>
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="new-password" required minLength={PASSWORD_MIN} />
          <span className="hint">At least {PASSWORD_MIN} characters</span>
        </label>
        <label>
          Repeat password
          <input name="confirm" type="password" autoComplete="new-password" required minLength={PASSWORD_MIN} />
        </label>
        <FormFooter error={error} busy={busy} label="Create account" busyLabel="Creating account…" />
      </form>
      <p className="switch">
        Have an account? <Link href={`/signin?callbackUrl=${encodeURIComponent(props.callbackUrl)}`}>Sign in</Link>
      </p>
    </>
  );
}

"use client";

import { signIn } from "next-auth/react";
import Link from "next/link";
import { FormFooter } from "./FormFooter";
import { useState, type FormEvent } from "react";
import { createAccount } from "../signup/actions";
import { PASSWORD_MIN } from "@/lib/accounts/credentials";
import { safeCallbackUrl } from "@/lib/auth/callback-url";

export function SignUpForm(props: { callbackUrl: string }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

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
    const created = await createAccount({ username, password });
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
      <form className="stack" onSubmit={onSubmit} aria-label="Create account">
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

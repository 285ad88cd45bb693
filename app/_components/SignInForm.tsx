"use client";

import { signIn } from "next-auth/react";
import Link from "next/link";
import { FormFooter } from "./FormFooter";
import { useState, type FormEvent } from "react";
import { signInErrorMessage } from "./sign-in-errors";
import { safeCallbackUrl } from "@/lib/auth/callback-url";

export function SignInForm(props: { callbackUrl: string; initialError?: string; github: boolean }) {
  const [error, setError] = useState(signInErrorMessage(props.initialError));
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    const result = await signIn("credentials", {
      username: String(form.get("username") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    if (result?.ok && !result.error) {
      // Checked again here: the page already did, but this is where the browser actually goes.
      window.location.assign(safeCallbackUrl(props.callbackUrl, window.location.origin));
      return;
    }
    setBusy(false);
    setError(signInErrorMessage(result?.error ?? "unavailable"));
  }

  return (
    <>
      <form className="stack" onSubmit={onSubmit} aria-label="Sign in">
        <label>
          Username
          <input name="username" autoComplete="username" required autoFocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <FormFooter error={error} busy={busy} label="Sign in" busyLabel="Signing in…" />
      </form>
      {props.github && (
        <button
          type="button"
          className="secondary"
          style={{ width: "100%", marginTop: 12 }}
          onClick={() => void signIn("github", { callbackUrl: props.callbackUrl })}
        >
          Sign in with GitHub
        </button>
      )}
      <p className="switch">
        New here? <Link href={`/signup?callbackUrl=${encodeURIComponent(props.callbackUrl)}`}>Create an account</Link>
      </p>
    </>
  );
}

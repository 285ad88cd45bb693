"use client";

import { useCallback, useEffect, useState } from "react";
import { api, ApiFailure } from "../room/api";
import styles from "./classroom.module.css";

interface Help {
  requestedAt: string;
  message: string | null;
}

/** How often the button asks whether the request is still open (a teacher may have resolved it). */
const REFRESH_MS = 10_000;

/**
 * "Ask for help", for the student in their workspace room: an optional
 * one-line message, then the request waits in the teacher's help queue
 * (the class view) until the student withdraws it or a teacher resolves it.
 * Teachers joining the room show up in the room's people list.
 */
export function HelpButton({ assignmentId }: { assignmentId: string }) {
  const [help, setHelp] = useState<Help | null>();
  const [writing, setWriting] = useState(false);
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();
  const path = `/api/v1/assignments/${assignmentId}/help`;

  const load = useCallback(async () => {
    try {
      setHelp((await api<{ help: Help | null }>(path)).help);
    } catch {
      // Shown again on the next refresh; the button still works.
    }
  }, [path]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const act = async (call: () => Promise<void>) => {
    setBusy(true);
    setProblem(undefined);
    try {
      await call();
    } catch (err) {
      setProblem(err instanceof ApiFailure ? err.message : "That did not work; try again.");
    } finally {
      setBusy(false);
    }
  };
  const ask = () =>
    act(async () => {
      setHelp(await api<Help>(path, { method: "POST", body: message.trim() ? { message: message.trim() } : {} }));
      setWriting(false);
      setMessage("");
    });
  const withdraw = () =>
    act(async () => {
      await api(path, { method: "DELETE" });
      setHelp(null);
    });

  return (
    <div className={styles.help} data-testid="help-button">
      {help ? (
        <>
          <span role="status">Help asked for at {new Date(help.requestedAt).toLocaleTimeString()}; a teacher will join you here.</span>
          <button type="button" className="secondary" onClick={() => void withdraw()} disabled={busy}>
            Withdraw
          </button>
        </>
      ) : writing ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void ask();
          }}
        >
          <input
            aria-label="What do you need help with? (optional)"
            placeholder="What are you stuck on? (optional)"
            maxLength={500}
            value={message}
            onChange={(e) => setMessage(e.target.value)}
            autoFocus
          />{" "}
          <button type="submit" disabled={busy}>
            Ask
          </button>{" "}
          <button type="button" className="secondary" onClick={() => setWriting(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <button type="button" onClick={() => setWriting(true)} disabled={help === undefined}>
          Ask for help
        </button>
      )}
      {problem && (
        <span className="error" role="alert">
          {problem}
        </span>
      )}
    </div>
  );
}

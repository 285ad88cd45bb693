"use client";

import type { Terminal } from "@xterm/xterm";
import { useCallback, useEffect, useRef, useState } from "react";
import type * as Y from "yjs";
import type { ExecutionStatus } from "@/lib/executions/status";
import { useWorkspacePrefs } from "../layout/WorkspacePrefs";
import { TerminalView } from "../../terminal/TerminalView";
import { api, ApiFailure } from "../api";
import { KeepFiles } from "./KeepFiles";
import { useInputSender } from "./useInputSender";
import { useRoomTerminal, type TerminalInfo } from "./useRoomTerminal";

const ENDED_TEXT: Partial<Record<ExecutionStatus, string>> = {
  cancelled: "The terminal was stopped (or closed after no input).",
  time_limit_exceeded: "The terminal reached its maximum length.",
  output_limit_exceeded: "The terminal printed more than it may.",
  memory_limit_exceeded: "The terminal ran out of memory.",
  internal_error: "The terminal could not run.",
};

/**
 * The room's shared terminal: a shell in a sandbox with the room's files, one
 * per room, the same for every member. Editors and the owner start, type into
 * and stop it; viewers watch. Files it writes stay in the terminal and are
 * dropped when it ends.
 */
export function RoomTerminal(props: { roomId: string; canType: boolean; doc: Y.Doc }) {
  // The page's theme and the user's font size, as the editor has them.
  const prefs = useWorkspacePrefs();
  const xterm = useRef<Terminal>(undefined);
  const pending = useRef<string[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const write = useCallback((text: string) => {
    if (xterm.current) xterm.current.write(text);
    else pending.current.push(text);
  }, []);
  const { terminal, ended, refresh, setTerminal } = useRoomTerminal(props.roomId, {
    begin: () => {
      pending.current = [];
      xterm.current?.reset();
    },
    write,
    ended: () => undefined,
  });
  const running = terminal !== null && (terminal.status === "queued" || terminal.status === "running");
  const send = useInputSender(props.roomId, terminal?.id, props.canType && running, setError);

  const start = async () => {
    setError(undefined);
    setBusy(true);
    try {
      const { terminal: started } = await api<{ terminal: TerminalInfo }>(`/api/v1/rooms/${props.roomId}/terminal`, { method: "POST", body: {} });
      setTerminal(started);
      await refresh();
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "Could not start the terminal.");
    } finally {
      setBusy(false);
    }
  };
  const stop = async () => {
    setError(undefined);
    try {
      await api(`/api/v1/rooms/${props.roomId}/terminal`, { method: "DELETE" });
    } catch (err) {
      if (!(err instanceof ApiFailure && err.code === "no_terminal")) setError(err instanceof ApiFailure ? err.message : "Could not stop the terminal.");
    }
  };

  return (
    <section className="room-terminal" aria-labelledby="terminal-title" data-testid="room-terminal">
      <div className="panel-head">
        <h2 id="terminal-title">Terminal</h2>
        <TerminalStatus terminal={terminal} ended={ended} />
        {props.canType && (
          <span>
            <button type="button" className="primary" onClick={() => void start()} disabled={running || busy} data-testid="terminal-start">
              Start terminal
            </button>
            <button type="button" onClick={() => void stop()} disabled={!running} data-testid="terminal-stop">
              ■ Stop
            </button>
          </span>
        )}
      </div>
      <p className="muted room-terminal-note">
        {props.canType ? "Everyone in the room sees this shell. " : "As a viewer you watch this shell; editors and the owner type into it. "}
        It starts with a copy of the room's files; files it writes go into the room only when someone chooses "Keep files"; the rest are dropped when it ends.
      </p>
      {props.canType && running && terminal?.status === "running" && <KeepFiles roomId={props.roomId} terminalId={terminal.id} doc={props.doc} />}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <TerminalView
        ariaLabel={props.canType ? "Room terminal" : "Room terminal (read-only)"}
        convertEol={false}
        theme={prefs.theme}
        fontSize={prefs.fontSize}
        readOnly={!props.canType || !running}
        onData={props.canType ? (data) => send({ data }) : undefined}
        onResize={props.canType ? (size) => send(size) : undefined}
        onReady={(term) => {
          xterm.current = term;
          for (const text of pending.current.splice(0)) term.write(text);
        }}
        onDispose={() => {
          xterm.current = undefined;
        }}
        className="room-terminal-view"
        testId="terminal-view"
      />
    </section>
  );
}

/** Who started it and how long it may still live: until its maximum length, or sooner without input. */
function TerminalStatus(props: { terminal: TerminalInfo | null; ended?: ExecutionStatus }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const t = props.terminal;
  if (!t) {
    return (
      <span className="muted" role="status" data-testid="terminal-status">
        {props.ended ? (ENDED_TEXT[props.ended] ?? `The terminal ended (${props.ended}).`) : "No terminal is running."}
      </span>
    );
  }
  if (t.status === "queued" || !t.startedAt) {
    return (
      <span className="muted" role="status" data-testid="terminal-status">
        Starting… (by {t.startedBy.username})
      </span>
    );
  }
  const started = Date.parse(t.startedAt);
  const left = Math.max(0, Math.round((started + t.maxSeconds * 1000 - now) / 1000));
  const lastInput = t.lastInputAt ? Math.max(Date.parse(t.lastInputAt), started) : started;
  const idleLeft = Math.max(0, Math.round((lastInput + t.idleSeconds * 1000 - now) / 1000));
  return (
    <span className="muted" role="status" data-testid="terminal-status">
      Running (started by {t.startedBy.username}) · closes in {clock(Math.min(idleLeft, left))} without input · {clock(left)} left at most
    </span>
  );
}

const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;

"use client";

import { useCallback, useMemo, useState } from "react";
import { isFinal } from "@/lib/executions/status";
import { api, ApiFailure } from "./api";
import { OutputTerminal } from "./output/OutputTerminal";
import type { RunView } from "./useRoomRuns";

const STATUS_TEXT: Record<string, string> = {
  queued: "Queued…",
  running: "Running…",
  succeeded: "Succeeded",
  failed: "Failed",
  compile_error: "Compile error",
  time_limit_exceeded: "Time limit exceeded",
  memory_limit_exceeded: "Memory limit exceeded",
  output_limit_exceeded: "Output limit exceeded",
  cancelled: "Stopped",
  internal_error: "Could not run (internal error)",
};

/**
 * Run, Stop, the program's input, its output as it streams (the same for everyone in the room, in a
 * terminal: colours, cursor movement, clickable file:line references), and recent runs.
 */
export function RunPanel(props: {
  roomId: string;
  canRun: boolean;
  current?: RunView;
  history: RunView[];
  onRun(): Promise<void>;
  onShow(run: RunView): void;
  error?: string;
  /** The room's file paths: file:line references to these in the output become links. */
  paths?: string[];
  /** Opens a room file at a line (a link in the output was clicked). */
  onOpenAt?(path: string, line: number): void;
}) {
  const { current } = props;
  const [stopError, setStopError] = useState<string>();
  const [line, setLine] = useState("");
  const running = current !== undefined && !isFinal(current.status);
  const paths = useMemo(() => new Set(props.paths ?? []), [props.paths]);
  const exists = useCallback((path: string) => paths.has(path), [paths]);

  // Typing into the running program: each line goes to its stdin (and everyone sees it in the output).
  const send = async (body: { data?: string; eof?: boolean }) => {
    if (!current) return;
    setStopError(undefined);
    try {
      await api(`/api/v1/executions/${current.id}/stdin`, { method: "POST", body });
    } catch (err) {
      setStopError(err instanceof ApiFailure ? err.message : "Could not send the input.");
    }
  };

  const stop = async () => {
    if (!current) return;
    setStopError(undefined);
    try {
      await api(`/api/v1/executions/${current.id}`, { method: "DELETE" });
    } catch (err) {
      setStopError(err instanceof ApiFailure ? err.message : "Could not stop the run.");
    }
  };

  return (
    <section className="run-panel" aria-labelledby="run-title">
      <div className="panel-head">
        <h2 id="run-title">Run</h2>
        <span>
          <button
            type="button"
            className="primary"
            onClick={() => void props.onRun()}
            disabled={!props.canRun || running}
            title="Run (Ctrl/Cmd+Enter)"
            data-testid="run"
          >
            ▶ Run
          </button>
          <button type="button" onClick={() => void stop()} disabled={!props.canRun || !running} data-testid="stop">
            ■ Stop
          </button>
        </span>
      </div>
      {!props.canRun && <p className="muted">As a viewer you can watch runs; editors and the owner start them.</p>}
      {(props.error || stopError) && (
        <p className="error" role="alert">
          {props.error ?? stopError}
        </p>
      )}
      <div className="run-status" role="status" aria-live="polite" data-testid="run-status">
        {current ? (
          <>
            <strong>{STATUS_TEXT[current.status] ?? current.status}</strong>
            {current.startedBy && <span> · started by {current.startedBy.username}</span>}
            {current.exitCode !== undefined && current.exitCode !== null && <span> · exit code {current.exitCode}</span>}
            {current.signal && <span> · {current.signal}</span>}
            {typeof current.wallTimeMs === "number" && <span> · {current.wallTimeMs} ms</span>}
            {typeof current.memoryKb === "number" && <span> · {(current.memoryKb / 1024).toFixed(1)} MiB</span>}
            {current.truncated && <span> · output truncated</span>}
          </>
        ) : (
          <span className="muted">{props.history.length ? "Loading the latest run…" : "Nothing has run yet."}</span>
        )}
      </div>
      {current?.notice && (
        <p className="muted" role="status" data-testid="run-notice">
          {current.notice}
        </p>
      )}
      {running && props.canRun && (
        <form
          className="inline-form live-input"
          onSubmit={(e) => {
            e.preventDefault();
            void send({ data: `${line}\n` });
            setLine("");
          }}
        >
          <input
            value={line}
            onChange={(e) => setLine(e.target.value)}
            placeholder="Type to the program, Enter sends"
            aria-label="Input to the running program"
            data-testid="live-input"
          />
          <button type="button" onClick={() => void send({ eof: true })} title="End of input (Ctrl+D)">
            EOF
          </button>
        </form>
      )}
      <OutputTerminal runId={current?.id} pieces={current?.output ?? []} exists={exists} onOpenAt={props.onOpenAt} />
      <h3>Recent runs</h3>
      <ul className="history" data-testid="history">
        {props.history.map((run) => (
          <li key={run.id}>
            <button type="button" onClick={() => props.onShow(run)}>
              {STATUS_TEXT[run.status] ?? run.status}
            </button>
            <span className="muted">
              {run.startedBy?.username} · {run.createdAt ? new Date(run.createdAt).toLocaleTimeString() : ""}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

"use client";

import type { IDisposable, Terminal } from "@xterm/xterm";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { TerminalView } from "../../terminal/TerminalView";
import { useWorkspacePrefs } from "../layout/WorkspacePrefs";
import { type FileRef, findFileRefs } from "./file-links";
import { registerFileLinks } from "./link-provider";
import { type OutputPiece, screenText, terminalText } from "./output-text";

/**
 * A run's output in the shared terminal component: ANSI colours and cursor
 * movement as in a real terminal, stderr and input told apart, file:line
 * references clickable (they open the room's file at that line). Pieces are
 * written as they arrive; when the run changes, or its pieces are replaced
 * (the stored result instead of the streamed pieces), the terminal starts
 * over. Clear empties this viewer's terminal; what arrives afterwards still
 * shows. The files the output names are also listed as buttons (the terminal's
 * links need a pointer; these work from the keyboard). Beside the terminal, a visually hidden text copy of the screen for
 * screen readers and tests (xterm draws rows, not text a page can read).
 */
/** Buttons for places named in the output: a traceback names a handful; a noisy output is not a menu. */
const MAX_LOCATIONS = 6;

export function OutputTerminal(props: { runId?: string; pieces: OutputPiece[]; exists(path: string): boolean; onOpenAt?(path: string, line: number): void }) {
  // The page's theme and the user's font size, as the editor has them.
  const prefs = useWorkspacePrefs();
  const [terminal, setTerminal] = useState<Terminal>();
  const [mirror, setMirror] = useState("");
  // What has been written: the run, how many of its pieces, and the last one (to notice a replaced list).
  const written = useRef<{ runId?: string; count: number; last?: OutputPiece; cleared?: string }>({ count: 0 });
  const latest = useRef(props);
  latest.current = props;
  const mirrorTimer = useRef<ReturnType<typeof setTimeout>>(undefined);

  const refreshMirror = useCallback(() => {
    clearTimeout(mirrorTimer.current);
    mirrorTimer.current = setTimeout(() => {
      if (terminal) setMirror(screenText(terminal));
    }, 30);
  }, [terminal]);

  useEffect(() => () => clearTimeout(mirrorTimer.current), []);

  useEffect(() => {
    if (!terminal) return;
    const links: IDisposable = registerFileLinks(terminal, {
      exists: (path) => latest.current.exists(path),
      open: (path, line) => latest.current.onOpenAt?.(path, line),
    });
    return () => links.dispose();
  }, [terminal]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the run or its pieces change (read through `latest`).
  useEffect(() => {
    if (!terminal) return;
    const state = written.current;
    const { runId, pieces } = latest.current;
    const continues = state.runId === runId && state.count <= pieces.length && (state.count === 0 || pieces[state.count - 1] === state.last);
    if (!continues) {
      terminal.reset();
      // A run this viewer cleared stays cleared when its pieces are replaced by the same output, stored.
      const skip = state.runId === runId && state.cleared === runId ? pieces.length : 0;
      written.current = { runId, count: skip, last: pieces[skip - 1], cleared: state.cleared === runId ? runId : undefined };
      if (skip === pieces.length) refreshMirror();
    }
    const from = written.current.count;
    if (from === pieces.length) return;
    terminal.write(pieces.slice(from).map(terminalText).join(""), refreshMirror);
    written.current = { ...written.current, count: pieces.length, last: pieces.at(-1) };
  }, [terminal, props.runId, props.pieces, refreshMirror]);

  // The first few distinct places the output names, for keyboard and screen reader users.
  const locations = useMemo(() => {
    const found = new Map<string, FileRef>();
    for (const line of mirror.split("\n")) {
      for (const ref of findFileRefs(line, props.exists)) found.set(`${ref.path}:${ref.line}`, found.get(`${ref.path}:${ref.line}`) ?? ref);
      if (found.size >= MAX_LOCATIONS) break;
    }
    return [...found.values()].slice(0, MAX_LOCATIONS);
  }, [mirror, props.exists]);

  const clear = () => {
    terminal?.reset();
    written.current = { ...written.current, cleared: props.runId };
    setMirror("");
  };

  return (
    <div className="run-output">
      <div className="run-output-bar">
        {props.onOpenAt && locations.length > 0 && (
          <nav className="run-output-locations" aria-label="Files named in the output">
            {locations.map((ref) => (
              <button type="button" key={`${ref.path}:${ref.line}`} onClick={() => props.onOpenAt?.(ref.path, ref.line)} data-testid="output-location">
                {ref.path}:{ref.line}
              </button>
            ))}
          </nav>
        )}
        <button type="button" onClick={clear} data-testid="clear-output" title="Clear the output (for you only)">
          Clear
        </button>
      </div>
      <TerminalView
        ariaLabel="Program output"
        readOnly
        convertEol
        className="run-output-terminal"
        theme={prefs.theme}
        fontSize={prefs.fontSize}
        testId="output-terminal"
        onReady={setTerminal}
        onDispose={() => setTerminal(undefined)}
      />
      <pre className="visually-hidden" data-testid="output" role="log" aria-label="Program output as text">
        {mirror}
      </pre>
    </div>
  );
}

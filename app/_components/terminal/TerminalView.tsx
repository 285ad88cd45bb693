"use client";

import "@xterm/xterm/css/xterm.css";
import type { Terminal } from "@xterm/xterm";
import { useEffect, useRef } from "react";

/**
 * One terminal component for everything that shows a program's bytes: the run
 * panel's output and the room's shared shell. xterm.js renders ANSI colours and
 * cursor movement the way a real terminal does, so what a program prints looks
 * the same here as on the user's own machine.
 *
 * The owner gets the xterm instance through `onReady` (to write output, clear,
 * register link providers) and must not keep it past `onDispose`. xterm is
 * loaded in the browser only: it touches `window` as it loads.
 */
export function TerminalView(props: {
  /** Keys typed into the terminal; absent (or `readOnly`) = the terminal only shows. */
  onData?(data: string): void;
  readOnly?: boolean;
  /** Program output uses "\n" line ends (true); a pseudo-terminal sends "\r\n" itself (false). */
  convertEol?: boolean;
  fontSize?: number;
  theme?: "light" | "dark";
  /** Names the terminal's input for screen readers. */
  ariaLabel: string;
  onReady(terminal: Terminal): void;
  onDispose?(): void;
  /** Columns and rows after every fit (a shell's pseudo-terminal follows the panel's size). */
  onResize?(size: { cols: number; rows: number }): void;
  className?: string;
  testId?: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const terminal = useRef<Terminal | undefined>(undefined);
  // The latest callbacks, read by the listeners registered once at mount.
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | undefined;
    void Promise.all([import("@xterm/xterm"), import("@xterm/addon-fit")]).then(([{ Terminal }, { FitAddon }]) => {
      if (disposed || !host.current) return;
      const term = new Terminal({
        convertEol: latest.current.convertEol ?? true,
        disableStdin: latest.current.readOnly ?? !latest.current.onData,
        fontSize: latest.current.fontSize ?? 13,
        scrollback: 5000,
        theme: palette(latest.current.theme ?? "dark"),
        // Hyperlinks a program prints (OSC 8) are its own text pointing anywhere: the output is
        // untrusted, shown to everyone in the room, so they are shown as text and never opened.
        // Links to the room's files come from the owner's link providers instead.
        linkHandler: { activate: () => undefined },
        // Screen readers get the rows as text (xterm's accessibility tree).
        screenReaderMode: false,
      });
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.open(host.current);
      term.textarea?.setAttribute("aria-label", latest.current.ariaLabel);
      const refit = () => {
        // A hidden or zero-sized panel has no size to fit to.
        if (!host.current || host.current.clientWidth === 0 || host.current.clientHeight === 0) return;
        fit.fit();
        latest.current.onResize?.({ cols: term.cols, rows: term.rows });
      };
      refit();
      observer = new ResizeObserver(refit);
      observer.observe(host.current);
      term.onData((data) => {
        if (!latest.current.readOnly) latest.current.onData?.(data);
      });
      terminal.current = term;
      latest.current.onReady(term);
    });
    return () => {
      disposed = true;
      observer?.disconnect();
      if (terminal.current) latest.current.onDispose?.();
      terminal.current?.dispose();
      terminal.current = undefined;
    };
  }, []);

  // Settings that may change while the terminal lives.
  useEffect(() => {
    const term = terminal.current;
    if (!term) return;
    term.options.disableStdin = props.readOnly ?? !props.onData;
    if (props.fontSize) term.options.fontSize = props.fontSize;
    term.options.theme = palette(props.theme ?? "dark");
  }, [props.readOnly, props.onData, props.fontSize, props.theme]);

  return <div ref={host} className={`terminal-view ${props.className ?? ""}`} data-testid={props.testId} />;
}

function palette(theme: "light" | "dark") {
  return theme === "dark"
    ? { background: "#1e1e1e", foreground: "#d4d4d4", cursor: "#d4d4d4", selectionBackground: "#264f78" }
    : { background: "#ffffff", foreground: "#1f2328", cursor: "#1f2328", selectionBackground: "#add6ff" };
}

"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type * as Y from "yjs";
import { restoreFiles, restoreUndoManager, type RestoreSummary } from "@/lib/rooms/snapshots/restore";

export interface RestoreState {
  label: string;
  summary: RestoreSummary;
  undone: boolean;
}

/**
 * Restoring a snapshot from this browser, and taking it back: each restore
 * gets its own origin and an UndoManager tracking only that origin, so "Undo
 * restore" undoes the restore and nothing anyone typed around it. The room
 * server checks the change as any edit of this member.
 */
export function useRestore(doc: Y.Doc) {
  const [state, setState] = useState<RestoreState>();
  const undo = useRef<Y.UndoManager | null>(null);

  useEffect(() => () => undo.current?.destroy(), []);

  const restore = useCallback(
    (label: string, files: Array<{ path: string; content: string }>) => {
      undo.current?.destroy();
      const origin = { restore: label };
      undo.current = restoreUndoManager(doc, origin);
      const summary = restoreFiles(doc, files, origin);
      setState({ label, summary, undone: false });
    },
    [doc],
  );

  const undoRestore = useCallback(() => {
    const manager = undo.current;
    if (!manager) return;
    while (manager.canUndo()) manager.undo();
    manager.destroy();
    undo.current = null;
    setState((s) => (s ? { ...s, undone: true } : s));
  }, []);

  return { restored: state, restore, undoRestore, dismiss: () => setState(undefined) };
}

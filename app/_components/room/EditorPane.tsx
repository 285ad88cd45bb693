"use client";

import Editor from "@monaco-editor/react";
import type { HocuspocusProvider } from "@hocuspocus/provider";
import { useEffect, useRef, useState } from "react";
import { MonacoBinding } from "y-monaco";
import * as Y from "yjs";
import { filesOf } from "@/lib/rooms/document";
import { monaco } from "./monaco-setup";
import { languageOfPath } from "./languages";
import { useWorkspacePrefs } from "./layout/WorkspacePrefs";

type CodeEditor = import("monaco-editor").editor.IStandaloneCodeEditor;

/**
 * The editor for one file, bound to the file's Y.Text with y-monaco: every
 * keystroke merges with everyone else's (no locks), remote cursors and
 * selections show in each person's colour (styles from RemoteCursors), and
 * undo/redo only undo my own edits: Monaco's own undo stack knows nothing of
 * the others' changes, so the keys go to a Y.UndoManager that tracks only
 * this binding's changes. Viewers get a read-only editor; the server
 * refuses their edits anyway.
 */
export function EditorPane(props: {
  doc: Y.Doc;
  provider: HocuspocusProvider;
  fileId: string;
  path: string;
  readOnly: boolean;
  reveal?: { line: number; column: number; at: number };
  onCursor(line: number, column: number): void;
  onRun(): void;
}) {
  const [editor, setEditor] = useState<CodeEditor>();
  const onRun = useRef(props.onRun);
  onRun.current = props.onRun;
  const onCursor = useRef(props.onCursor);
  onCursor.current = props.onCursor;
  const undoTarget = useRef<Y.UndoManager | undefined>(undefined);
  // The person's theme (light: Monaco's "vs") and font size, changed live.
  const { theme, fontSize } = useWorkspacePrefs();

  // One model per open file, bound to its Y.Text while shown.
  useEffect(() => {
    if (!editor) return;
    const entry: unknown = filesOf(props.doc).get(props.fileId);
    const text = entry instanceof Y.Map ? entry.get("text") : undefined;
    if (!(text instanceof Y.Text)) return;
    const model = monaco.editor.createModel(text.toString(), languageOfPath(props.path));
    editor.setModel(model);
    const binding = new MonacoBinding(text, model, new Set([editor]), props.provider.awareness ?? undefined);
    const undo = new Y.UndoManager(text, { trackedOrigins: new Set([binding]) });
    undoTarget.current = undo;
    const cursor = editor.onDidChangeCursorPosition((e) => onCursor.current(e.position.lineNumber, e.position.column));
    return () => {
      undoTarget.current = undefined;
      undo.destroy();
      cursor.dispose();
      binding.destroy();
      model.dispose();
    };
  }, [editor, props.doc, props.fileId, props.path, props.provider]);

  useEffect(() => {
    editor?.updateOptions({ readOnly: props.readOnly });
  }, [editor, props.readOnly]);

  // Following someone: jump to where they are.
  useEffect(() => {
    if (!editor || !props.reveal) return;
    editor.setPosition({ lineNumber: props.reveal.line, column: props.reveal.column });
    editor.revealPositionInCenterIfOutsideViewport({ lineNumber: props.reveal.line, column: props.reveal.column });
  }, [editor, props.reveal]);

  return (
    <div className="editor" data-testid="editor">
      <Editor
        theme={theme === "light" ? "vs" : "vs-dark"}
        options={{ readOnly: props.readOnly, minimap: { enabled: false }, automaticLayout: true, fontSize, scrollBeyondLastLine: false }}
        onMount={(ed) => {
          // Ctrl/Cmd+Enter runs the room's program from inside the editor too.
          ed.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => onRun.current());
          // Undo/redo keys must never reach Monaco's own undo (it would take back others' edits too).
          ed.onKeyDown((e) => {
            if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
            const redo = (e.keyCode === monaco.KeyCode.KeyZ && e.shiftKey) || (e.keyCode === monaco.KeyCode.KeyY && !e.shiftKey);
            const undo = e.keyCode === monaco.KeyCode.KeyZ && !e.shiftKey;
            if (!undo && !redo) return;
            e.preventDefault();
            e.stopPropagation();
            if (undo) undoTarget.current?.undo();
            else undoTarget.current?.redo();
          });
          setEditor(ed);
        }}
      />
    </div>
  );
}

"use client";

import { useState } from "react";
import * as Y from "yjs";
import { filesOf } from "@/lib/rooms/document";
import { createFile } from "@/lib/rooms/tree";
import { api, ApiFailure } from "../api";

interface Changes {
  files: Array<{ path: string; content: string; change: "new" | "changed" }>;
  skipped: Array<{ path: string; reason: string }>;
  unchanged: number;
}

/**
 * "Keep these files": lists the text files the terminal wrote or changed in
 * its project folder, and puts the ones chosen into the room's document as an
 * edit of the person who asked (everyone sees it, the room's rules apply).
 * Nothing reaches the room without this; the rest is dropped when the terminal ends.
 */
export function KeepFiles(props: { roomId: string; terminalId: string; doc: Y.Doc }) {
  const [changes, setChanges] = useState<Changes>();
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState<string>();
  const [busy, setBusy] = useState(false);

  const look = async () => {
    setBusy(true);
    setMessage(undefined);
    try {
      const found = await api<Changes>(`/api/v1/rooms/${props.roomId}/terminal/files`, { method: "POST", body: { terminalId: props.terminalId } });
      setChanges(found);
      setChosen(new Set(found.files.map((f) => f.path)));
      if (!found.files.length) setMessage("The terminal's files are the same as the room's.");
    } catch (err) {
      setMessage(err instanceof ApiFailure ? err.message : "Could not read the terminal's files.");
    } finally {
      setBusy(false);
    }
  };

  const keep = () => {
    if (!changes) return;
    const problems: string[] = [];
    let kept = 0;
    props.doc.transact(() => {
      const ids = new Map<string, string>();
      filesOf(props.doc).forEach((entry, id) => {
        const p = entry.get("path");
        if (typeof p === "string") ids.set(p, id);
      });
      for (const f of changes.files.filter((x) => chosen.has(x.path))) {
        const text = ids.has(f.path) ? filesOf(props.doc).get(ids.get(f.path)!)?.get("text") : undefined;
        if (text instanceof Y.Text) {
          text.delete(0, text.length);
          text.insert(0, f.content);
          kept++;
        } else {
          const problem = createFile(props.doc, f.path, f.content);
          if (problem) problems.push(`${f.path}: ${problem}`);
          else kept++;
        }
      }
    });
    setChanges(undefined);
    setMessage(`Kept ${kept} file${kept === 1 ? "" : "s"} in the room.${problems.length ? ` Not kept: ${problems.join("; ")}.` : ""}`);
  };

  return (
    <div className="keep-files" data-testid="keep-files">
      <button type="button" onClick={() => void look()} disabled={busy} data-testid="keep-files-look">
        Keep files…
      </button>
      {message && (
        <span className="muted" role="status" data-testid="keep-files-message">
          {message}
        </span>
      )}
      {changes && changes.files.length > 0 && (
        <fieldset className="keep-files-list">
          <legend>Files the terminal wrote or changed</legend>
          {changes.files.map((f) => (
            <label key={f.path}>
              <input
                type="checkbox"
                checked={chosen.has(f.path)}
                onChange={(e) => {
                  const next = new Set(chosen);
                  if (e.target.checked) next.add(f.path);
                  else next.delete(f.path);
                  setChosen(next);
                }}
              />{" "}
              {f.path} <span className="muted">({f.change})</span>
            </label>
          ))}
          {changes.skipped.length > 0 && <p className="muted">Left out: {changes.skipped.map((s) => `${s.path} (${s.reason})`).join(", ")}</p>}
          <span>
            <button type="button" className="primary" onClick={keep} disabled={chosen.size === 0} data-testid="keep-files-keep">
              Keep these files
            </button>
            <button type="button" onClick={() => setChanges(undefined)}>
              Cancel
            </button>
          </span>
        </fieldset>
      )}
    </div>
  );
}

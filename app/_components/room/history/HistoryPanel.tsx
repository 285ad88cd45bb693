"use client";

import { useEffect, useState } from "react";
import type * as Y from "yjs";
import { listFiles } from "@/lib/rooms/document";
import { compareFiles, type FileChange } from "@/lib/rooms/snapshots/diff";
import { api, ApiFailure } from "../api";
import { SnapshotDiff } from "./SnapshotDiff";
import { useRestore } from "./useRestore";
import { type SnapshotEntry, snapshotLabel, useSnapshots } from "./useSnapshots";

type SnapshotFiles = Array<{ path: string; content: string }>;

/** How long the comparison waits after an edit before it is made again (typing goes on). */
const RECOMPARE_MS = 300;

/**
 * The room's history: named snapshots and those taken at each run. Any member
 * compares one with the room's files now (live, as people type); editors
 * and the owner save a named one and restore one (then may undo it).
 * Closing the panel only hides it: a restore can still be undone when it is
 * opened again.
 */
export function HistoryPanel({
  open: shown,
  roomId,
  doc,
  canEdit,
  userId,
  isOwner,
  onClose,
}: {
  /** Closed, the panel is hidden but kept, with its restore to undo. */
  open: boolean;
  roomId: string;
  doc: Y.Doc;
  canEdit: boolean;
  userId: string;
  isOwner: boolean;
  onClose(): void;
}) {
  const { snapshots, loaded, error: loadError, reload } = useSnapshots(roomId, shown);
  const { restored, restore, undoRestore, dismiss } = useRestore(doc);
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [selected, setSelected] = useState<{ entry: SnapshotEntry; files: SnapshotFiles }>();
  const changes = useLiveComparison(doc, shown ? selected?.files : undefined);

  const act = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "That did not work; try again.");
    } finally {
      setBusy(false);
    }
  };

  const open = (entry: SnapshotEntry) =>
    act(async () => {
      const snapshot = await api<{ files: SnapshotFiles }>(`/api/v1/rooms/${roomId}/snapshots/${entry.id}`);
      setSelected({ entry, files: snapshot.files });
    });

  if (!shown) return null;
  return (
    <aside className="history-panel" aria-labelledby="history-title" data-testid="history-panel" onKeyDown={(e) => e.key === "Escape" && onClose()}>
      <div className="panel-head">
        <h2 id="history-title">History</h2>
        <button type="button" onClick={onClose} aria-label="Close the history">
          ✕
        </button>
      </div>
      {restored && (
        <p className="notice" role="status" data-testid="restore-notice">
          {restored.undone
            ? `The restore of “${restored.label}” was undone.`
            : `Restored “${restored.label}” for everyone: ${restored.summary.changed} changed, ${restored.summary.added} brought back, ${restored.summary.removed} deleted.`}{" "}
          {restored.undone ? (
            <button type="button" onClick={dismiss}>
              OK
            </button>
          ) : (
            <button type="button" onClick={undoRestore} data-testid="undo-restore">
              Undo restore
            </button>
          )}
        </p>
      )}
      {(error ?? loadError) && (
        <p className="error" role="alert">
          {error ?? loadError}
        </p>
      )}
      {canEdit && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              await api(`/api/v1/rooms/${roomId}/snapshots`, { method: "POST", body: { name } });
              setName("");
              await reload();
            });
          }}
        >
          <label>
            Name
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              maxLength={80}
              required
              placeholder="Before the refactor"
              data-testid="snapshot-name"
            />
          </label>
          <button type="submit" className="primary" disabled={busy || !name.trim()} data-testid="save-snapshot">
            Save snapshot
          </button>
        </form>
      )}
      {loaded && snapshots.length === 0 && <p className="muted">No snapshots yet: save one, or run the room's files.</p>}
      <ul className="snapshot-list" data-testid="snapshots">
        {snapshots.map((s) => (
          <li key={s.id} data-testid="snapshot" data-snapshot-id={s.id} data-kind={s.kind} className={selected?.entry.id === s.id ? "selected" : undefined}>
            <button type="button" className="snapshot-open" onClick={() => void open(s)} aria-label={`Compare “${snapshotLabel(s)}” with now`}>
              <span className="snapshot-label">{snapshotLabel(s)}</span>
              <span className="muted">
                {s.kind === "manual" ? `saved by ${s.createdBy?.username ?? "a former member"}, ` : ""}
                {new Date(s.createdAt).toLocaleString()}
              </span>
            </button>
            {(isOwner || (canEdit && s.kind === "manual" && s.createdBy?.id === userId)) && (
              <button
                type="button"
                className="danger"
                aria-label={`Delete “${snapshotLabel(s)}”`}
                onClick={() =>
                  void act(async () => {
                    await api(`/api/v1/rooms/${roomId}/snapshots/${s.id}`, { method: "DELETE" });
                    if (selected?.entry.id === s.id) setSelected(undefined);
                    await reload();
                  })
                }
              >
                Delete
              </button>
            )}
          </li>
        ))}
      </ul>
      {selected && (
        <section className="snapshot-detail" aria-label="Compared with now">
          <div className="panel-head">
            <h3>“{snapshotLabel(selected.entry)}” compared with now</h3>
            {canEdit && (
              <button
                type="button"
                className="primary"
                data-testid="restore-snapshot"
                disabled={busy}
                onClick={() => restore(snapshotLabel(selected.entry), selected.files)}
              >
                Restore
              </button>
            )}
          </div>
          {!canEdit && <p className="muted">As a viewer you can compare, but not restore.</p>}
          {changes && <SnapshotDiff changes={changes} />}
        </section>
      )}
    </aside>
  );
}

/** The snapshot's files compared with the live document, made again shortly after every change to it. */
function useLiveComparison(doc: Y.Doc, files: SnapshotFiles | undefined): FileChange[] | undefined {
  const [changes, setChanges] = useState<FileChange[]>();
  useEffect(() => {
    if (!files) {
      setChanges(undefined);
      return;
    }
    const compare = () => setChanges(compareFiles(files, listFiles(doc)));
    compare();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onUpdate = () => {
      clearTimeout(timer);
      timer = setTimeout(compare, RECOMPARE_MS);
    };
    doc.on("update", onUpdate);
    return () => {
      clearTimeout(timer);
      doc.off("update", onUpdate);
    };
  }, [doc, files]);
  return changes;
}

"use client";

import type { FileChange } from "@/lib/rooms/snapshots/diff";

const STATUS_WORDS: Record<FileChange["status"], string> = {
  added: "created since (a restore deletes it)",
  removed: "deleted since (a restore brings it back)",
  changed: "changed since",
};

/** What changed in the room's files since a snapshot, file by file, with the line diff of each changed file. */
export function SnapshotDiff({ changes }: { changes: FileChange[] }) {
  if (changes.length === 0) {
    return (
      <p className="muted" data-testid="snapshot-diff-empty">
        The room's files are the same as in this snapshot.
      </p>
    );
  }
  return (
    <ul className="snapshot-diff" data-testid="snapshot-diff">
      {changes.map((c) => (
        <li key={c.path} data-testid="diff-file" data-path={c.path} data-status={c.status}>
          <div className={`diff-file-head diff-${c.status}`}>
            <code>{c.path}</code> <span className="muted">{STATUS_WORDS[c.status]}</span>
          </div>
          {c.status === "changed" &&
            (c.lines ? (
              <pre className="diff-lines">
                {c.lines.map((part, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one diff have no identity beyond their place.
                  <span key={i} className={`diff-${part.kind}`} data-kind={part.kind}>
                    {prefixLines(part.text, part.kind === "added" ? "+ " : part.kind === "removed" ? "- " : "  ")}
                  </span>
                ))}
              </pre>
            ) : (
              <p className="muted">Too large or too different to show line by line.</p>
            ))}
        </li>
      ))}
    </ul>
  );
}

function prefixLines(text: string, prefix: string): string {
  const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
  return `${lines.map((l) => prefix + l).join("\n")}\n`;
}

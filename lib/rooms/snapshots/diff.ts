import { diffLines } from "diff";

/**
 * A snapshot compared with the room's files now, file by file: what changed
 * since it was taken. Pure (no Node built-ins): the History panel runs it in
 * the browser against the live document, the API against the files collab holds.
 */
export interface LinePart {
  /** same: in both; removed: only in the snapshot; added: only now. */
  kind: "same" | "removed" | "added";
  text: string;
}

export interface FileChange {
  path: string;
  /** added: created since; removed: deleted since (a restore brings it back); changed: its text differs. */
  status: "added" | "removed" | "changed";
  /** The line diff of a changed file; null when too large or too different to diff cheaply (see below). */
  lines: LinePart[] | null;
}

/** Above this many characters on either side a file's line diff is not made (the file is still listed as changed). */
export const MAX_DIFF_CHARS = 128 * 1024;
/** Above this many differing lines, either: Myers' diff costs lines x differences (see lib/classroom/submissions/diff.ts). */
export const MAX_DIFF_EDITS = 400;
/**
 * The characters one comparison diffs in all (both sides of every changed
 * file). Any member may ask the API for a comparison, as often as they like,
 * and it runs in the web process's only thread: at 1 MiB, four files of
 * 128 Ki characters made of one repeated line, each with ~400 lines added,
 * held it 120-340 ms per request. At 256 Ki (the classroom's per-view
 * budget, lib/classroom/submissions/diff.ts) one such file fits: a quarter.
 */
export const MAX_TOTAL_DIFF_CHARS = 256 * 1024;

type Text = { path: string; content: string };

export function compareFiles(snapshot: readonly Text[], now: readonly Text[]): FileChange[] {
  const before = new Map(snapshot.map((f) => [f.path, f.content]));
  const after = new Map(now.map((f) => [f.path, f.content]));
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  let budget = MAX_TOTAL_DIFF_CHARS;
  const changes: FileChange[] = [];
  for (const path of paths) {
    const old = before.get(path);
    const current = after.get(path);
    if (old === current) continue;
    if (old === undefined) changes.push({ path, status: "added", lines: null });
    else if (current === undefined) changes.push({ path, status: "removed", lines: null });
    else {
      const cost = old.length + current.length;
      const affordable = old.length <= MAX_DIFF_CHARS && current.length <= MAX_DIFF_CHARS && cost <= budget;
      if (affordable) budget -= cost;
      changes.push({ path, status: "changed", lines: affordable ? lineDiff(old, current) : null });
    }
  }
  return changes;
}

function lineDiff(old: string, current: string): LinePart[] | null {
  const parts = diffLines(old, current, { maxEditLength: MAX_DIFF_EDITS });
  if (!parts) return null;
  return parts.map((p) => ({ kind: p.added ? "added" : p.removed ? "removed" : "same", text: p.value }));
}

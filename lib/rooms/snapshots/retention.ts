import type { SnapshotLimits } from "./limits";

export interface RetainedRow {
  id: string;
  kind: "manual" | "run";
  bytes: number;
  createdAt: Date;
}

/**
 * Which snapshots to delete so a room stays within its limits: run snapshots
 * beyond the newest `limits.runs`, then the oldest run snapshots left while
 * all together are over the byte quota. Named snapshots are never pruned here
 * (saving one past the limits is refused instead): people chose to keep them.
 */
export function snapshotsToPrune(rows: readonly RetainedRow[], limits: SnapshotLimits): string[] {
  const runs = rows.filter((r) => r.kind === "run").sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const prune = new Set(runs.slice(limits.runs).map((r) => r.id));
  let total = rows.reduce((sum, r) => (prune.has(r.id) ? sum : sum + r.bytes), 0);
  for (let i = Math.min(runs.length, limits.runs) - 1; i >= 0 && total > limits.bytes; i--) {
    const oldest = runs[i]!;
    prune.add(oldest.id);
    total -= oldest.bytes;
  }
  return [...prune];
}

/**
 * What one room keeps of its history. Run snapshots come and go on their own
 * (the oldest make way); named ones stay until someone deletes them, so the
 * room has a cap on how many, and both kinds share one byte quota. A run
 * snapshot is at most a run's source (1 MiB); a named one is whatever the room
 * holds, up to the quota.
 */
export const SNAPSHOT_LIMITS = {
  /** Run snapshots kept: the newest this many. */
  runs: 20,
  /** Named snapshots a room may hold; saving another is refused (409 too_many_snapshots). */
  manual: 20,
  /** Bytes of all a room's snapshots together, each counted as the JSON of its files (what is stored and served). */
  bytes: 16 * 1024 * 1024,
} as const;

export type SnapshotLimits = { runs: number; manual: number; bytes: number };

/** A snapshot's name, as a member gives it (the column is VARCHAR(80)). */
export const MAX_SNAPSHOT_NAME = 80;

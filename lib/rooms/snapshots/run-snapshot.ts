import type { Logger } from "pino";
import type { Database } from "../../db/client";
import { snapshotContent } from "./content";
import { takeRunSnapshot } from "./take";

/**
 * The automatic snapshot of a room run: the files that ran, stored unless
 * they equal the room's previous run snapshot. Called once the run is
 * queued; it never fails the run: a failure is logged and the run goes on.
 */
export async function snapshotRun(
  opts: { db: Database; log: Logger },
  run: { roomId: string; userId: string; executionId: string; files: ReadonlyArray<{ name: string; content: string }> },
): Promise<void> {
  try {
    const content = snapshotContent(run.files.map((f) => ({ path: f.name, content: f.content })));
    await takeRunSnapshot(opts.db, { roomId: run.roomId, userId: run.userId, executionId: run.executionId, content });
  } catch (err) {
    opts.log.warn({ roomId: run.roomId, executionId: run.executionId, err: (err as Error).message }, "could not take the run's snapshot; the run goes on");
  }
}

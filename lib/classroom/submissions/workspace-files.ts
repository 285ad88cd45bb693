import type { Database } from "../../db/client";
import { checkExecutionRequest, MAX_FILES } from "../../executions/request";
import { availableRuntimes, requireRuntime } from "../../executions/runtimes";
import { ApiError } from "../../http/errors";
import { filesForRun } from "../../rooms/document";
import { currentRoomFiles } from "../../rooms/room-files";
import { pathProblem } from "../../rooms/tree";
import { web } from "../../web/context";
import { checkRunAllowed, consumeRunAllowance, roomSnapshotLease } from "../../web/executions";

/** The student's workspace room for the assignment, or 409 no_workspace when they never opened it. */
export async function requireWorkspaceRoom(db: Database, assignmentId: string, userId: string): Promise<string> {
  const workspace = await db.assignmentWorkspace.findUnique({ where: { assignmentId_userId: { assignmentId, userId } }, select: { roomId: true } });
  if (!workspace) {
    throw new ApiError(
      409,
      "no_workspace",
      `You have no workspace for this assignment yet: open it first (/assignments/${assignmentId}/workspace), then try again.`,
    );
  }
  return workspace.roomId;
}

/**
 * The workspace's files as the student sees them now (the live document,
 * as a room run reads it: collab's snapshot, else the stored one), entry
 * file first, checked as a run's files are. Test and Submit are runs of the
 * student: they count against the run rate and the runs-at-once cap, and
 * take a room-snapshot lease like a room run, before the expensive read.
 */
export async function currentWorkspaceFiles(userId: string, roomId: string, language: string): Promise<Array<{ name: string; content: string }>> {
  const { db, redis, config, secret, log } = web();
  const runtime = requireRuntime(await availableRuntimes(redis), language);
  await checkRunAllowed(userId);
  await consumeRunAllowance(userId);
  const lease = await roomSnapshotLease(userId);
  const live = await currentRoomFiles({ db, redis, secret, log }, roomId).finally(() => void lease.release());
  const files = filesForRun(live, runtime.entryFile ?? "");
  if (files.length === 0) throw new ApiError(400, "no_files", "Your workspace has no files; create one first.");
  if (files.length > MAX_FILES) throw new ApiError(400, "too_many_files", `Your workspace has ${files.length} files; at most ${MAX_FILES} can be graded.`);
  for (const f of files) {
    const problem = pathProblem(f.name);
    if (problem) throw new ApiError(400, "invalid_file_name", `The file "${f.name}" cannot be graded: ${problem}. Rename it.`);
  }
  checkExecutionRequest({ files: files.map((f) => ({ name: f.name, content: Buffer.from(f.content, "utf8") })) }, config.limits);
  return files;
}

import type { Tx } from "../rooms/caps";
import { deleteWorkspaceRooms } from "./workspaces/workspace";

/**
 * What deleting an assignment or a course leaves behind that the schema's
 * cascades do not reach: the students' workspace rooms (a room is no
 * course's child) and the executions of its gradings. A grading cascades
 * away with its assignment, and its execution, still queued, would then run
 * as a plain run of the student's files and show in their run list. Call in
 * the transaction that deletes; returns the rooms gone, to announce.
 */
export async function deleteClassroomLeftovers(tx: Tx, of: { assignmentId: string } | { courseId: string }): Promise<string[]> {
  const gradings = "assignmentId" in of ? { assignmentId: of.assignmentId } : { assignment: { courseId: of.courseId } };
  await tx.execution.deleteMany({ where: { grading: { is: gradings } } });
  return deleteWorkspaceRooms(tx, of);
}

import type { Database } from "../../db/client";
import type { Tx } from "../../rooms/caps";
import { ROOM_DOCUMENT_LIMITS, templateDocument } from "../../rooms/document";
import type { RoomRole } from "../../rooms/roles";
import { pathProblem } from "../../rooms/tree";
import { isStaff, type CourseRole } from "../roles";

/** Files a workspace starts with when the assignment has no starter files. */
const EMPTY_START: Record<string, { name: string; content: string }> = {
  python: { name: "main.py", content: "" },
};

/**
 * The starter files a room can hold: text files with a valid path, at most a
 * room's worth. The assignment's editor validates them when they are saved;
 * this only keeps a bad row from making a room the room server would refuse.
 */
export function starterFilesOf(value: unknown): Array<{ name: string; content: string }> {
  if (!Array.isArray(value)) return [];
  const files = value.filter(
    (f): f is { name: string; content: string } =>
      typeof f === "object" && f !== null && typeof f.name === "string" && typeof f.content === "string" && !pathProblem(f.name),
  );
  return files.slice(0, ROOM_DOCUMENT_LIMITS.files).map((f) => ({ name: f.name, content: f.content }));
}

/**
 * The student's private room for the assignment, made from the starter files
 * the first time it is asked for (parallel first opens make one room). The
 * room has no members: its roles come from the course (workspaceRole), so it
 * never appears in anyone's room list and has no owner to share it.
 */
export async function ensureWorkspace(
  db: Database,
  assignment: { id: string; title: string; language: string; starterFiles: unknown },
  userId: string,
): Promise<{ roomId: string; created: boolean }> {
  const existing = await db.assignmentWorkspace.findUnique({ where: { assignmentId_userId: { assignmentId: assignment.id, userId } } });
  if (existing) return { roomId: existing.roomId, created: false };
  const starter = starterFilesOf(assignment.starterFiles);
  const files = starter.length ? starter : [EMPTY_START[assignment.language] ?? { name: "README.md", content: "" }];
  const state = Buffer.from(templateDocument(files));
  try {
    // One statement (Prisma nests it in a transaction): a room without its workspace row is never left behind.
    const room = await db.room.create({
      data: {
        name: assignment.title.slice(0, 80),
        language: assignment.language,
        document: { create: { state } },
        workspace: { create: { assignmentId: assignment.id, userId } },
      },
    });
    return { roomId: room.id, created: true };
  } catch (err) {
    // Another request made it first (the primary key of the workspace): use that one.
    const made = await db.assignmentWorkspace.findUnique({ where: { assignmentId_userId: { assignmentId: assignment.id, userId } } });
    if (made) return { roomId: made.roomId, created: false };
    throw err;
  }
}

/** What decides a role in a workspace room: whose it is, when its assignment opens, and the caller's role in its course. */
export interface WorkspaceFacts {
  ownerId: string;
  opensAt: Date | null;
}

/**
 * The rule, without the database (collab's periodic re-check reads the facts
 * for many rooms in one query and applies the same rule):
 * - staff of the course (teachers, TAs) edit every student's workspace, their
 *   own included (a student promoted to TA keeps reaching the room they had);
 * - the student whose workspace it is edits it while they are a student of
 *   the course and the assignment is open (a student does not see an
 *   assignment before it opens, so not its room either);
 * - nobody else, whatever else they are: another student of the course, a
 *   former member, a TA demoted to student (now only a student), an
 *   administrator of the server.
 * Nobody is ever owner: no share links, invitations, rename or delete.
 */
export function workspaceRoleOf(facts: WorkspaceFacts, userId: string, courseRole: CourseRole | undefined, now = new Date()): RoomRole | undefined {
  if (!courseRole) return undefined;
  if (isStaff(courseRole)) return "editor";
  if (facts.ownerId !== userId) return undefined;
  if (facts.opensAt && facts.opensAt > now) return undefined;
  return "editor";
}

/**
 * The caller's role in a workspace room (workspaceRoleOf), or undefined for
 * everyone without one, and for rooms that are not workspaces.
 */
export async function workspaceRole(db: Database, roomId: string, userId: string): Promise<RoomRole | undefined> {
  const workspace = await db.assignmentWorkspace.findUnique({
    where: { roomId },
    select: { userId: true, assignment: { select: { courseId: true, opensAt: true } } },
  });
  if (!workspace) return undefined;
  const member = await db.courseMember.findUnique({
    where: { courseId_userId: { courseId: workspace.assignment.courseId, userId } },
    select: { role: true },
  });
  return workspaceRoleOf({ ownerId: workspace.userId, opensAt: workspace.assignment.opensAt }, userId, member?.role);
}

/**
 * Deleting an assignment or a course deletes its workspace rows (cascade) but
 * not their rooms, which nobody could then open: call this first, in the
 * transaction that deletes them. The rooms' documents and runs go with them.
 * Then announce each returned room (announceRoomControl, kind "deleted") so
 * open sockets close at once rather than at collab's next periodic re-check.
 */
export async function deleteWorkspaceRooms(db: Database | Tx, of: { assignmentId: string } | { courseId: string }): Promise<string[]> {
  const where = "assignmentId" in of ? { assignmentId: of.assignmentId } : { assignment: { courseId: of.courseId } };
  const rows = await db.assignmentWorkspace.findMany({ where, select: { roomId: true } });
  const roomIds = rows.map((r) => r.roomId);
  if (roomIds.length) await db.room.deleteMany({ where: { id: { in: roomIds } } });
  return roomIds;
}

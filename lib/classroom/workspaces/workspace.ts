import type { Database } from "../../db/client";
import { templateDocument } from "../../rooms/document";
import type { RoomRole } from "../../rooms/roles";
import { isStaff } from "../roles";

/** Files a workspace starts with when the assignment has no starter files. */
const EMPTY_START: Record<string, { name: string; content: string }> = {
  python: { name: "main.py", content: "" },
};

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
  const starter = Array.isArray(assignment.starterFiles) ? (assignment.starterFiles as Array<{ name: string; content: string }>) : [];
  const files = starter.length ? starter : [EMPTY_START[assignment.language] ?? { name: "README.md", content: "" }];
  const state = Buffer.from(templateDocument(files));
  try {
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

/**
 * The caller's role in a workspace room: the student whose room it is edits
 * it while still a student of the course; the course's teachers and teaching
 * assistants edit it too (to help, typing beside the student). Nobody owns
 * it. Undefined for everyone else, and for rooms that are not workspaces.
 */
export async function workspaceRole(db: Database, roomId: string, userId: string): Promise<RoomRole | undefined> {
  const workspace = await db.assignmentWorkspace.findUnique({
    where: { roomId },
    select: { userId: true, assignment: { select: { courseId: true } } },
  });
  if (!workspace) return undefined;
  const member = await db.courseMember.findUnique({
    where: { courseId_userId: { courseId: workspace.assignment.courseId, userId } },
    select: { role: true },
  });
  if (!member) return undefined;
  if (workspace.userId === userId) return member.role === "student" ? "editor" : undefined;
  return isStaff(member.role) ? "editor" : undefined;
}

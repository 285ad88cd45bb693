import type { Database } from "../../db/client";

/** What the assignment panel of a workspace room shows (app/_components/classroom/AssignmentPanel.tsx). */
export interface RoomAssignment {
  assignment: { id: string; title: string; dueAt: string; lateUntil: string | null };
  mode: "student" | "staff";
  student: { id: string; username: string };
}

/**
 * The assignment panel's data when the room is a student's workspace,
 * undefined for any other room. The room page already checked the viewer's
 * room role (workspaceRole admits only that student and the course's
 * staff), so whoever is not the student here is staff: read-only panel.
 */
export async function roomAssignment(db: Database, roomId: string, viewerId: string): Promise<RoomAssignment | undefined> {
  const workspace = await db.assignmentWorkspace.findUnique({
    where: { roomId },
    select: { userId: true, assignment: { select: { id: true, title: true, dueAt: true, lateUntil: true } } },
  });
  if (!workspace) return undefined;
  const student = await db.user.findUnique({ where: { id: workspace.userId }, select: { id: true, username: true } });
  const { assignment } = workspace;
  return {
    assignment: { id: assignment.id, title: assignment.title, dueAt: assignment.dueAt.toISOString(), lateUntil: assignment.lateUntil?.toISOString() ?? null },
    mode: workspace.userId === viewerId ? "student" : "staff",
    student: student ?? { id: workspace.userId, username: "(deleted)" },
  };
}

import { notFound, redirect } from "next/navigation";
import { requireUser } from "@/lib/auth/session";
import { requireAssignmentAccess } from "@/lib/classroom/access";
import { isStaff } from "@/lib/classroom/roles";
import { ensureWorkspace } from "@/lib/classroom/workspaces/workspace";
import { isApiError } from "@/lib/http/errors";
import { web } from "@/lib/web/context";

export const dynamic = "force-dynamic";

/**
 * "My workspace": the student's private room for the assignment, made from
 * the starter files on the first visit, then the room page itself. Signed-out
 * visitors sign in and come back here; teachers and TAs, who have no
 * workspace, go to the class view to open a student's room.
 */
export default async function WorkspacePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser(`/assignments/${id}/workspace`);
  const { db } = web();
  const access = await requireAssignmentAccess(db, id, user.id, "read").catch((err) => {
    if (isApiError(err)) notFound();
    throw err;
  });
  if (isStaff(access.role)) redirect(`/assignments/${id}/class`);
  const { starterFiles } = await db.assignment.findUniqueOrThrow({ where: { id }, select: { starterFiles: true } });
  const { roomId } = await ensureWorkspace(db, { ...access.assignment, starterFiles }, user.id);
  redirect(`/rooms/${roomId}`);
}

import { deleteClassroomLeftovers } from "@/lib/classroom/cleanup";
import { announceRoomControl } from "@/lib/rooms/events";
import { assignmentView, updateAssignment } from "@/lib/classroom/assignments/assignments";
import { checkLimits, resolveLanguage } from "@/lib/classroom/assignments/checks";
import { ASSIGNMENT_LIMITS, updateAssignmentSchema } from "@/lib/classroom/assignments/requests";
import { readJson } from "@/lib/http/errors";
import { assignmentForCaller, noStore } from "@/lib/web/classroom-assignments";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * GET /api/v1/assignments/:id -> the assignment as the caller's role sees it: staff everything (tests in full,
 * starter files); students the statement, dates, language, limits, the tests shown to them (name, points, input,
 * expected output) and of the others only {hiddenTests: {count, points}}.
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const { assignment, role } = await assignmentForCaller(request, (await params).id, "read");
  return Response.json(await assignmentView(web().db, assignment, role), { headers: noStore });
});

/** PATCH /api/v1/assignments/:id {any fields of POST} -> the assignment (teachers only). */
export const PATCH = route(async (request: Request, { params }: Params) => {
  const { db, redis, config } = web();
  const { assignment, role } = await assignmentForCaller(request, (await params).id, "author");
  const change = await readJson(request, updateAssignmentSchema, ASSIGNMENT_LIMITS.bodyBytes);
  if (change.limits) checkLimits(config.limits, change.limits, "limits");
  if (change.language !== undefined && change.language !== assignment.language) change.language = await resolveLanguage(redis, change.language);
  const updated = await updateAssignment(db, assignment, change);
  return Response.json(await assignmentView(db, updated, role), { headers: noStore });
});

/** DELETE /api/v1/assignments/:id -> 204 (teachers only): its tests, workspaces (their rooms too: open sockets close), submissions and gradings go with it. */
export const DELETE = route(async (request: Request, { params }: Params) => {
  const { db, redis } = web();
  const { assignment } = await assignmentForCaller(request, (await params).id, "author");
  const rooms = await db.$transaction(async (tx) => {
    const roomIds = await deleteClassroomLeftovers(tx, { assignmentId: assignment.id });
    await tx.assignment.delete({ where: { id: assignment.id } });
    return roomIds;
  });
  await Promise.all(rooms.map((roomId) => announceRoomControl(redis, { roomId, kind: "deleted" })));
  return new Response(null, { status: 204 });
});

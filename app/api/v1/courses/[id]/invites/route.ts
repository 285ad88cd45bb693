import { courseForCaller } from "@/lib/classroom/courses/for-caller";
import { createInvite, type InviteView, listInvites } from "@/lib/classroom/courses/invites";
import { createInviteSchema } from "@/lib/classroom/courses/requests";
import { readJson } from "@/lib/http/errors";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/** The link a student opens to join: on the address people reach the app at (SAM_PUBLIC_URL). */
const withUrl = (invite: InviteView) => ({ ...invite, url: `${web().config.publicUrl}/courses/join/${invite.code}` });

/** GET /api/v1/courses/:id/invites -> {invites: [{id, code, url, createdAt, expiresAt}]}: the codes that still work (teachers). */
export const GET = route(async (request: Request, { params }: Params) => {
  const { course } = await courseForCaller(request, (await params).id, "manage");
  const invites = await listInvites(web().db, course.id);
  return Response.json({ invites: invites.map(withUrl) }, { headers: { "cache-control": "no-store" } });
});

/**
 * POST /api/v1/courses/:id/invites {expiresInDays?: 1-365} -> 201 {id, code, url, createdAt, expiresAt} (teachers).
 * Without expiresInDays the code works until revoked. 409 too_many_course_invites past 20 working codes.
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { caller, course } = await courseForCaller(request, (await params).id, "manage");
  const { expiresInDays } = await readJson(request, createInviteSchema);
  const invite = await createInvite(web().db, course.id, caller.user.id, expiresInDays);
  return Response.json(withUrl(invite), { status: 201, headers: { "cache-control": "no-store" } });
});

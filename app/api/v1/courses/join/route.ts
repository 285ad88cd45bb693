import { joinWithCode } from "@/lib/classroom/courses/invites";
import { JoinLimiter } from "@/lib/classroom/courses/join-limit";
import { joinCourseSchema } from "@/lib/classroom/courses/requests";
import { clientKeyOf } from "@/lib/http/client-ip";
import { isApiError, readJson } from "@/lib/http/errors";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

/**
 * POST /api/v1/courses/join {code} -> {courseId, role, joined}: the caller is now a student of the code's course
 * (joined: true), or was a member already and keeps their role (joined: false). Case, spaces and dashes in the code
 * do not matter. 404 course_code_invalid for an unknown, revoked or expired code; 429 rate_limited after too many
 * wrong codes (10 per account, 30 per address, in 15 minutes); 409 course_full.
 */
export const POST = route(async (request: Request) => {
  const { db, redis } = web();
  const caller = await requireCaller(request);
  const { code } = await readJson(request, joinCourseSchema);
  const limiter = new JoinLimiter(redis);
  const address = clientKeyOf(request.headers);
  await limiter.beforeAttempt(caller.user.id, address);
  try {
    const joined = await joinWithCode(db, code, caller.user.id);
    await limiter.refund(caller.user.id, address);
    return Response.json(joined, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    // Only a wrong code counts as a guess.
    if (!(isApiError(err) && err.code === "course_code_invalid")) await limiter.refund(caller.user.id, address);
    throw err;
  }
});

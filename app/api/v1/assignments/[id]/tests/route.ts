import { checkTestLimits, resolveCheckerLanguages } from "@/lib/classroom/assignments/checks";
import { ASSIGNMENT_LIMITS, replaceTestsSchema } from "@/lib/classroom/assignments/requests";
import { loadTests, writeTests } from "@/lib/classroom/assignments/tests-store";
import { readJson } from "@/lib/http/errors";
import { assignmentForCaller, noStore } from "@/lib/web/classroom-assignments";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/** GET /api/v1/assignments/:id/tests -> {limits, tests: [{id, position, name, points, visibility, kind, limits, ...spec}]} (staff). */
export const GET = route(async (request: Request, { params }: Params) => {
  const { assignment } = await assignmentForCaller(request, (await params).id, "grade");
  return Response.json({ limits: assignment.limits, tests: await loadTests(web().db, assignment.id) }, { headers: noStore });
});

/** PUT /api/v1/assignments/:id/tests {tests: [...]} -> {tests}: the whole list replaced, in the order sent (teachers only). */
export const PUT = route(async (request: Request, { params }: Params) => {
  const { db, redis, config } = web();
  const { assignment } = await assignmentForCaller(request, (await params).id, "author");
  const { tests } = await readJson(request, replaceTestsSchema, ASSIGNMENT_LIMITS.testsBodyBytes);
  checkTestLimits(config.limits, tests);
  const resolved = await resolveCheckerLanguages(redis, tests);
  return Response.json({ limits: assignment.limits, tests: await writeTests(db, assignment.id, resolved) }, { headers: noStore });
});

import { checkLimits, checkTestLimits, resolveCheckerLanguages } from "@/lib/classroom/assignments/checks";
import { ASSIGNMENT_LIMITS, importModeSchema } from "@/lib/classroom/assignments/requests";
import { writeTests } from "@/lib/classroom/assignments/tests-store";
import { importApiError } from "@/lib/classroom/tests/import/api-error";
import { importTests, type ImportResult } from "@/lib/classroom/tests/import/import";
import { ApiError, readQuery } from "@/lib/http/errors";
import { assignmentForCaller, noStore, readUpload } from "@/lib/web/classroom-assignments";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * POST /api/v1/assignments/:id/tests/import?mode=replace|append, body: a SAM tests file (JSON), GitHub Classroom's
 * autograding.json, or a Kattis problem package (.zip) -> {format, mode, tests: [the assignment's tests after],
 * imported: n, warnings: [{test?, message}], statementSet} (teachers only). The format is told by the content.
 * mode=replace (the default) takes the place of every test; a SAM file's limits then become the assignment's.
 * A Kattis statement fills the assignment's statement when that is empty.
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { db, redis, config } = web();
  const { assignment } = await assignmentForCaller(request, (await params).id, "author");
  const { mode } = readQuery(request, importModeSchema);
  const body = await readUpload(request, ASSIGNMENT_LIMITS.testsBodyBytes);
  if (body.length === 0) throw new ApiError(400, "import_format_unknown", "The upload is empty: send the tests file or the zip as the body.");
  let result: ImportResult;
  try {
    result = importTests(body, { maxWallTimeMs: config.limits.maximum.wallTimeMs, maxCpuTimeMs: config.limits.maximum.cpuTimeMs });
  } catch (err) {
    throw importApiError(err);
  }
  checkTestLimits(config.limits, result.tests);
  if (result.limits && mode === "replace") checkLimits(config.limits, result.limits, "limits");
  const tests = await writeTests(db, assignment.id, await resolveCheckerLanguages(redis, result.tests), mode);
  const data: { limits?: object; statement?: string } = {};
  if (result.limits && mode === "replace") data.limits = result.limits;
  if (result.statement && !assignment.statement.trim()) data.statement = result.statement.slice(0, ASSIGNMENT_LIMITS.statementLength);
  if (Object.keys(data).length) await db.assignment.update({ where: { id: assignment.id }, data });
  return Response.json(
    { format: result.format, mode, imported: result.tests.length, tests, warnings: result.warnings, statementSet: data.statement !== undefined },
    { headers: noStore },
  );
});

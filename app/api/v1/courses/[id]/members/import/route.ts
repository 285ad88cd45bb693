import { courseForCaller } from "@/lib/classroom/courses/for-caller";
import { describeProblems, parseRosterCsv, type RosterProblem } from "@/lib/classroom/courses/roster-csv";
import { readRosterCsv } from "@/lib/classroom/courses/roster-body";
import { importRoster } from "@/lib/classroom/courses/roster";
import { ApiError } from "@/lib/http/errors";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * POST /api/v1/courses/:id/members/import (body: the CSV as text/csv, or JSON {csv}) -> {added: [member],
 * unchanged: [member]} (teachers). Columns `username` and optional `role` (default student), header row optional.
 * All or nothing: any problem -> 400 roster_invalid with `problems: [{line, problem}]` and nothing changed.
 * People already in the course keep their role.
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { course } = await courseForCaller(request, (await params).id, "manage");
  const parsed = parseRosterCsv(await readRosterCsv(request));
  if (!parsed.ok) return rejected(parsed.problems);
  const result = await importRoster(web().db, course.id, parsed.rows);
  if (!result.ok) return rejected(result.problems);
  return Response.json({ added: result.added, unchanged: result.unchanged }, { headers: { "cache-control": "no-store" } });
});

/** The usual error body, plus each problem with its line, so a page can show them as a list. */
function rejected(problems: RosterProblem[]): Response {
  const err = new ApiError(400, "roster_invalid", `Nothing was imported. Fix the file and upload it again: ${describeProblems(problems)}`);
  return Response.json({ error: { code: err.code, message: err.message, problems } }, { status: err.status, headers: { "cache-control": "no-store" } });
}

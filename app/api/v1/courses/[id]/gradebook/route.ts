import { z } from "zod";
import { requireCourseAccess } from "@/lib/classroom/access";
import { gradebookCsv, gradebookFileName } from "@/lib/classroom/gradebook/csv";
import { loadGradebook } from "@/lib/classroom/gradebook/load";
import { gradebookViewSchema, viewGradebook } from "@/lib/classroom/gradebook/view";
import { readQuery } from "@/lib/http/errors";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

const querySchema = gradebookViewSchema.extend({
  format: z.enum(["json", "csv"], { message: 'format must be "json" or "csv"' }).optional(),
});

/**
 * GET /api/v1/courses/:id/gradebook -> {course, assignments: [{id, title,
 * dueAt, maxScore}], students: [{userId, username, total, cells: {[assignmentId]:
 * {submissionId, submissions, score, maxScore, late, daysLate, overridden,
 * state, submittedAt} | null}}]} (staff: teachers and TAs). A cell is the
 * student's LATEST submission, scored by finalScore. Filter and sort on the
 * server with ?q= &assignment= &only=missing|late &sort=name|total|<assignmentId>
 * &dir=asc|desc. ?format=csv: the same view as a CSV download.
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const caller = await requireCaller(request);
  const { format, ...view } = readQuery(request, querySchema);
  const { course } = await requireCourseAccess(db, (await params).id, caller.user.id, "grade");
  const gradebook = viewGradebook(await loadGradebook(db, course), view);
  if (format === "csv") {
    return new Response(gradebookCsv(gradebook), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${gradebookFileName(course.name)}"`,
        "cache-control": "no-store",
      },
    });
  }
  return Response.json(gradebook, { headers: { "cache-control": "no-store" } });
});

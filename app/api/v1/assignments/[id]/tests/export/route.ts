import { loadTests } from "@/lib/classroom/assignments/tests-store";
import { exportFileName, exportSuite } from "@/lib/classroom/tests/export";
import { testLimitsSchema } from "@/lib/classroom/tests/spec";
import { assignmentForCaller, noStore } from "@/lib/web/classroom-assignments";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * GET /api/v1/assignments/:id/tests/export -> the tests as one JSON file ({format: "sam-tests", version: 1,
 * limits, tests}), as a download (teachers only: hidden tests are in it).
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const { assignment } = await assignmentForCaller(request, (await params).id, "author");
  const file = exportSuite(testLimitsSchema.parse(assignment.limits ?? {}), await loadTests(web().db, assignment.id));
  return new Response(`${JSON.stringify(file, null, 2)}\n`, {
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-disposition": `attachment; filename="${exportFileName(assignment.title)}"`,
      ...noStore,
    },
  });
});

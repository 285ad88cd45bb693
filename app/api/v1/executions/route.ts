import { requireCaller } from "@/lib/web/caller";
import { requestedEncoding } from "@/lib/executions/encoding";
import { checkExecutionRequest, decodeRunInput, executionRequestSchema, MAX_BODY_BYTES } from "@/lib/executions/request";
import { availableRuntimes, requireRuntime } from "@/lib/executions/runtimes";
import { executionSummary } from "@/lib/executions/view";
import { executionHead, executionResponse } from "@/lib/executions/view-stream";
import { ApiError, readJson } from "@/lib/http/errors";
import { web } from "@/lib/web/context";
import { enqueueExecution, openStreamLease } from "@/lib/web/executions";
import { route } from "@/lib/web/route";
import { waitForResult } from "@/lib/web/wait-for-result";
import { StageTimer } from "@/lib/perf/stages";
import { answerJson, readAnswer } from "@/lib/executions/answer";

/**
 * POST /api/v1/executions {language, files, stdin?, args?, limits?, workClass?}
 *   -> 202 {id, status: "queued"}; with ?wait=true -> 200 and the finished execution.
 * The first file is the entry point. With ?encoding=base64 the files' contents
 * and stdin are base64, and so is the output in the answer (see encoding.ts).
 * Nothing reaches the queue until every check passed.
 */
export const POST = route(async (request: Request) => {
  const { db, redis, config } = web();
  const timer = config.SAM_STAGE_TIMINGS ? new StageTimer() : undefined;
  const caller = await requireCaller(request);
  timer?.lap("auth");
  const encoding = requestedEncoding(request);
  const wait = new URL(request.url).searchParams.get("wait") === "true";
  const body = await readJson(request, executionRequestSchema, MAX_BODY_BYTES);
  const input = decodeRunInput(body, encoding);
  checkExecutionRequest(input, config.limits);
  timer?.lap("body");
  const runtime = requireRuntime(await availableRuntimes(redis), body.language);
  timer?.lap("runtime");
  // A waiting request holds a Redis connection like an event stream, and counts as one
  // until its answer (sent as the client reads it) is complete.
  const lease = wait ? await openStreamLease(caller.user.id) : undefined;
  timer?.lap("lease");
  let handedOn = false;
  try {
    const { execution, limits } = await enqueueExecution(caller.user.id, runtime, { ...input, workClass: body.workClass }, timer);
    if (wait) {
      // Generous: time in the queue, plus compiling, plus the run's own wall limit.
      const finished = await waitForResult(redis, db, execution.id, limits.wallTimeMs * 2 + 120_000, request.signal);
      timer?.lap("wait");
      // Small output came with the result: answered without reading PostgreSQL (answer.ts).
      const answer = finished ? await readAnswer(redis, execution.id) : null;
      if (answer) {
        timer?.lap("answer");
        const headers = new Headers({ "content-type": "application/json", "cache-control": "no-store" });
        if (timer) headers.set("server-timing", timer.serverTiming());
        return new Response(answerJson(answer, encoding), { status: 200, headers });
      }
      const head = await executionHead(db, execution.id);
      if (!head) throw new ApiError(404, "not_found", `The execution ${execution.id} was deleted.`);
      timer?.lap("head");
      handedOn = true;
      const response = executionResponse(db, head, encoding, { status: finished ? 200 : 202, release: () => lease?.release(), signal: request.signal });
      if (timer) response.headers.set("server-timing", timer.serverTiming());
      return response;
    }
    return Response.json(
      { id: execution.id, status: "queued" },
      { status: 202, headers: { location: `/api/v1/executions/${execution.id}`, "cache-control": "no-store" } },
    );
  } finally {
    if (!handedOn) await lease?.release();
  }
});

/** GET /api/v1/executions?limit=N -> {executions: [...]}: the caller's most recent runs, newest first (output omitted). */
export const GET = route(async (request: Request) => {
  const { db } = web();
  const caller = await requireCaller(request);
  const raw = new URL(request.url).searchParams.get("limit") ?? "20";
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new ApiError(400, "invalid_request", "limit must be a whole number from 1 to 100.");
  }
  const rows = await db.execution.findMany({
    // A grading's execution is the classroom's, not one of the account's runs (runner/grading/).
    where: { userId: caller.user.id, grading: { is: null } },
    orderBy: { createdAt: "desc" },
    take: limit,
    omit: { stdin: true, stdout: true, stderr: true, compileOutput: true },
  });
  return Response.json({ executions: rows.map(executionSummary) }, { headers: { "cache-control": "no-store" } });
});

import { resolveLimits } from "@/lib/executions/limits";
import { checkExecutionRequest, fileNameSchema, MAX_FILES } from "@/lib/executions/request";
import { availableRuntimes } from "@/lib/executions/runtimes";
import { executionView } from "@/lib/executions/view";
import { ApiError, readJson } from "@/lib/http/errors";
import { requireRoomAccess } from "@/lib/rooms/access";
import { filesForRun } from "@/lib/rooms/document";
import { appendRoomEvent } from "@/lib/rooms/events";
import { currentRoomFiles } from "@/lib/rooms/room-files";
import { MAX_RUN_BODY_BYTES, roomRunSchema } from "@/lib/rooms/requests";
import { roomRuntime, touch } from "@/lib/rooms/rooms";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { consumeRunAllowance, executionServices } from "@/lib/web/executions";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/** GET /api/v1/rooms/:id/runs -> {runs: [...]}: the room's 20 most recent runs, newest first, with who started each (any member). */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const caller = await requireCaller(request);
  const { room } = await requireRoomAccess(db, (await params).id, caller.user.id, "read");
  const rows = await db.execution.findMany({ where: { roomId: room.id }, orderBy: { createdAt: "desc" }, take: 20, include: { user: true } });
  const runs = rows.map((row) => {
    const { stdout: _o, stderr: _e, compileOutput: _c, ...summary } = executionView(row);
    return { ...summary, startedBy: { id: row.user.id, username: row.user.username } };
  });
  return Response.json({ runs }, { headers: { "cache-control": "no-store" } });
});

/**
 * POST /api/v1/rooms/:id/runs {stdin?, args?} -> 202 {id, status: "queued"}
 * (editors and the owner). The files come from the room's document as
 * everyone sees it, never from the request: what runs is what is shown. Every
 * member sees the run start (GET /api/v1/rooms/:id/events) and may follow its
 * output (GET /api/v1/executions/:id/events).
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { db, redis, config, secret, log } = web();
  const caller = await requireCaller(request);
  const { room } = await requireRoomAccess(db, (await params).id, caller.user.id, "run");
  const body = await readJson(request, roomRunSchema, MAX_RUN_BODY_BYTES);
  const runtime = roomRuntime(await availableRuntimes(redis), room.language);
  const files = filesForRun(await currentRoomFiles({ db, redis, secret, log }, room.id), runtime.entryFile ?? "");
  if (files.length === 0) throw new ApiError(400, "no_files", "The room has no files to run; create one first.");
  if (files.length > MAX_FILES) throw new ApiError(400, "too_many_files", `The room has ${files.length} files; a run takes at most ${MAX_FILES}.`);
  for (const f of files) {
    const named = fileNameSchema.safeParse(f.name);
    if (!named.success) throw new ApiError(400, "invalid_file_name", `The file "${f.name}" cannot run: ${named.error.issues[0]?.message}. Rename it.`);
  }
  checkExecutionRequest({ language: runtime.language, files, stdin: body.stdin, args: body.args }, config.limits);
  await consumeRunAllowance(caller.user.id);
  const limits = resolveLimits(config.limits, runtime.limits, {});
  const execution = await db.execution.create({
    data: {
      userId: caller.user.id,
      roomId: room.id,
      interactive: true,
      language: runtime.language,
      version: runtime.version,
      files,
      stdin: body.stdin ?? "",
      args: body.args ?? [],
      limits: { ...limits },
    },
  });
  await executionServices().queue.add("run", { executionId: execution.id }, { jobId: execution.id });
  await appendRoomEvent(redis, room.id, "run", {
    executionId: execution.id,
    startedBy: { id: caller.user.id, username: caller.user.username },
    createdAt: execution.createdAt,
  });
  void touch(db, room.id).catch(() => undefined);
  return Response.json({ id: execution.id, status: "queued" }, { status: 202, headers: { location: `/api/v1/executions/${execution.id}`, "cache-control": "no-store" } });
});

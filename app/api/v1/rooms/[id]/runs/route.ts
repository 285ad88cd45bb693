import { inputBytes, requestedEncoding } from "@/lib/executions/encoding";
import { argsSchema, checkExecutionRequest, MAX_FILES } from "@/lib/executions/request";
import { availableRuntimes, requireRuntime } from "@/lib/executions/runtimes";
import { executionSummary } from "@/lib/executions/view";
import { ApiError, readJson } from "@/lib/http/errors";
import { filesForRun } from "@/lib/rooms/document";
import { appendRoomEvent } from "@/lib/rooms/events";
import { currentRoomFiles } from "@/lib/rooms/room-files";
import { snapshotRun } from "@/lib/rooms/snapshots/run-snapshot";
import { MAX_RUN_BODY_BYTES, roomRunSchema } from "@/lib/rooms/requests";
import { touch } from "@/lib/rooms/rooms";
import { pathProblem } from "@/lib/rooms/tree";
import { web } from "@/lib/web/context";
import { checkRunAllowed, consumeRunAllowance, enqueueExecution, roomSnapshotLease } from "@/lib/web/executions";
import { roomForCaller } from "@/lib/web/room-access";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/** GET /api/v1/rooms/:id/runs -> {runs: [...]}: the room's 20 most recent runs, newest first, with who started each (any member). */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const { room } = await roomForCaller(request, (await params).id, "read");
  const rows = await db.execution.findMany({
    // The room's terminal is an execution too, but not a run (GET /api/v1/rooms/:id/terminal).
    where: { roomId: room.id, terminal: false },
    orderBy: { createdAt: "desc" },
    take: 20,
    include: { user: true },
    omit: { stdin: true, stdout: true, stderr: true, compileOutput: true },
  });
  const runs = rows.map((row) => ({ ...executionSummary(row), startedBy: { id: row.user.id, username: row.user.username } }));
  return Response.json({ runs }, { headers: { "cache-control": "no-store" } });
});

/**
 * POST /api/v1/rooms/:id/runs {entry?, language?, args?, stdin?} -> 202 {id,
 * status: "queued"} (editors and the owner). The body is a run configuration
 * (lib/rooms/run-config.ts): the page sends the room's shared one or "Run this
 * file"'s; left out, the language is the room's and the entry that language's
 * entry file (else the first file). The entry must be one of the room's files
 * (400 entry_not_found) and the language one a runner serves (400
 * unknown_language). The files come from the room's document as
 * everyone sees it, never from the request: what runs is what is shown. Every
 * member sees the run start (GET /api/v1/rooms/:id/events) and may follow its
 * output (GET /api/v1/executions/:id/events). With ?encoding=base64, stdin
 * is base64 (any bytes). The room's files are text, run as their UTF-8 bytes.
 *
 * Reading the live files makes collab serialize the whole document and this
 * process parse it, so everything cheap comes first and the run is counted
 * against the run rate before that (a request refused afterwards, e.g. 413 for
 * files too large, still counts), and a user has at most two such reads at once.
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { db, redis, config, secret, log } = web();
  const encoding = requestedEncoding(request);
  const { caller, room } = await roomForCaller(request, (await params).id, "run");
  const body = await readJson(request, roomRunSchema, MAX_RUN_BODY_BYTES);
  const stdin = inputBytes(body.stdin ?? "", encoding, "stdin");
  const args = argsSchema.optional().safeParse(body.args);
  if (!args.success) throw new ApiError(400, "invalid_request", `args: ${args.error.issues[0]?.message}.`);
  const runtime = requireRuntime(await availableRuntimes(redis), body.language ?? room.language);
  const entryProblem = body.entry === undefined ? undefined : pathProblem(body.entry);
  if (entryProblem) throw new ApiError(400, "invalid_request", `entry: ${entryProblem}; give the path of one of the room's files.`);
  await checkRunAllowed(caller.user.id);
  await consumeRunAllowance(caller.user.id);
  const lease = await roomSnapshotLease(caller.user.id);
  const live = await currentRoomFiles({ db, redis, secret, log }, room.id).finally(() => void lease.release());
  if (body.entry !== undefined && !live.some((f) => f.path === body.entry)) {
    throw new ApiError(
      400,
      "entry_not_found",
      `The entry file "${body.entry}" is not in the room; choose one of the room's files as the entry, or leave entry out.`,
    );
  }
  const files = filesForRun(live, body.entry ?? runtime.entryFile ?? "");
  if (files.length === 0) throw new ApiError(400, "no_files", "The room has no files to run; create one first.");
  if (files.length > MAX_FILES) throw new ApiError(400, "too_many_files", `The room has ${files.length} files; a run takes at most ${MAX_FILES}.`);
  for (const f of files) {
    const problem = pathProblem(f.name);
    if (problem) throw new ApiError(400, "invalid_file_name", `The file "${f.name}" cannot run: ${problem}. Rename it.`);
  }
  const input = { files: files.map((f) => ({ name: f.name, content: Buffer.from(f.content, "utf8") })), stdin, args: args.data };
  checkExecutionRequest(input, config.limits);
  const { execution } = await enqueueExecution(caller.user.id, runtime, { ...input, roomId: room.id, allowanceTaken: true });
  // The room's history keeps the files that ran (never fails the run).
  await snapshotRun({ db, log }, { roomId: room.id, userId: caller.user.id, executionId: execution.id, files });
  await appendRoomEvent(redis, room.id, "run", {
    executionId: execution.id,
    startedBy: { id: caller.user.id, username: caller.user.username },
    createdAt: execution.createdAt,
  });
  void touch(db, room.id).catch(() => undefined);
  return Response.json(
    { id: execution.id, status: "queued" },
    { status: 202, headers: { location: `/api/v1/executions/${execution.id}`, "cache-control": "no-store" } },
  );
});

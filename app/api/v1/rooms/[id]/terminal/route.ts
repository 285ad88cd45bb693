import { ApiError } from "@/lib/http/errors";
import { touch } from "@/lib/rooms/rooms";
import { liveTerminal, startTerminal, stopTerminal, terminalView } from "@/lib/terminals/terminals";
import { web } from "@/lib/web/context";
import { roomForCaller } from "@/lib/web/room-access";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };
const NO_STORE = { "cache-control": "no-store" };

/**
 * GET /api/v1/rooms/:id/terminal -> {terminal: {...} | null} (any member): the
 * room's queued or running terminal. Its output is a run's: follow
 * GET /api/v1/executions/:terminalId/events.
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const { room } = await roomForCaller(request, (await params).id, "read");
  const row = await liveTerminal(room.id);
  return Response.json({ terminal: row ? await terminalView(row) : null }, { headers: NO_STORE });
});

/**
 * POST /api/v1/rooms/:id/terminal -> 202 {terminal} started, or 200 {terminal}
 * when one already runs (editors and the owner): one terminal per room, shared
 * by every member. The room's files as everyone sees them are copied in.
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { caller, room } = await roomForCaller(request, (await params).id, "run");
  const { row, started } = await startTerminal(caller, room);
  if (started) void touch(web().db, room.id).catch(() => undefined);
  return Response.json({ terminal: await terminalView(row) }, { status: started ? 202 : 200, headers: NO_STORE });
});

/** DELETE /api/v1/rooms/:id/terminal -> 200 {stopped: true} (editors and the owner): ends it and every process in it; 404 no_terminal when none runs. */
export const DELETE = route(async (request: Request, { params }: Params) => {
  const { room } = await roomForCaller(request, (await params).id, "run");
  if (!(await stopTerminal(room.id))) throw new ApiError(404, "no_terminal", "The room has no terminal running.");
  return Response.json({ stopped: true }, { headers: NO_STORE });
});

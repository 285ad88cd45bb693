import { ApiError, readJson } from "@/lib/http/errors";
import { appendTerminalInput, clearTerminalInput, MAX_TERMINAL_INPUT_BYTES } from "@/lib/terminals/input";
import { MAX_INPUT_BODY_BYTES, takeInputAllowance, terminalInputSchema } from "@/lib/terminals/requests";
import { liveTerminal } from "@/lib/terminals/terminals";
import { web } from "@/lib/web/context";
import { roomForCaller } from "@/lib/web/room-access";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * POST /api/v1/rooms/:id/terminal/input {terminalId, data?, cols?, rows?} -> 202
 * {accepted: true} (editors and the owner; a viewer gets 403): keys typed into
 * the room's terminal and/or its new window size. The role is checked on every
 * piece, so someone removed or made a viewer stops typing at once. 404
 * no_terminal when the terminal named is not the room's running one.
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { caller, room } = await roomForCaller(request, (await params).id, "run");
  await takeInputAllowance(caller.user.id);
  const body = await readJson(request, terminalInputSchema, MAX_INPUT_BODY_BYTES);
  const row = await liveTerminal(room.id);
  if (!row || row.id !== body.terminalId) throw new ApiError(404, "no_terminal", "That terminal is not running in this room; start one (or reload).");
  const data = Buffer.from(body.data ?? "", "utf8");
  const size = body.cols !== undefined && body.rows !== undefined ? { cols: body.cols, rows: body.rows } : undefined;
  if (!(await appendTerminalInput(web().redis, row.id, data, size))) {
    throw new ApiError(
      413,
      "terminal_input_full",
      `The terminal was sent ${MAX_TERMINAL_INPUT_BYTES / 1024 / 1024} MiB of input, the most one terminal may get; stop it and start a new one.`,
    );
  }
  // Ended meanwhile: whoever stopped it may have cleared its input before this piece arrived, and a terminal
  // stopped while queued never reaches the runner that clears it otherwise. Drop it rather than leave it in Redis.
  const still = await web().db.execution.count({ where: { id: row.id, status: { in: ["queued", "running"] } } });
  if (still === 0) await clearTerminalInput(web().redis, row.id);
  return Response.json({ accepted: true }, { status: 202, headers: { "cache-control": "no-store" } });
});

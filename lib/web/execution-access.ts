import { ApiError } from "../http/errors";
import { isUuid } from "../http/ids";
import { roomRole } from "../rooms/access";
import { can } from "../rooms/roles";
import { requireCaller, type ApiCaller } from "./caller";
import { web } from "./context";

type ExecutionRow = NonNullable<Awaited<ReturnType<typeof find>>>;

/**
 * An execution the caller may see (`read`) or control (`run`: cancel, type
 * into): their own, or one started in a room where their role allows it.
 * Anything else is 404, exactly like an execution that does not exist; a room
 * member who may only watch gets 403 for control.
 */
export async function accessibleExecution(
  request: Request,
  id: string,
  action: "read" | "run" = "read",
): Promise<{ caller: ApiCaller; execution: ExecutionRow }> {
  const caller = await requireCaller(request);
  const execution = isUuid(id) ? await find(id) : null;
  const notFound = new ApiError(404, "not_found", `No execution ${id} of yours exists.`);
  if (!execution) throw notFound;
  if (execution.userId === caller.user.id) return { caller, execution };
  const access = execution.roomId ? await roomRole(web().db, execution.roomId, caller.user.id) : undefined;
  if (!access) throw notFound;
  if (!can(access.role, action)) {
    throw new ApiError(403, "forbidden", "As a viewer of this room you can watch its runs but not stop them or type into them.");
  }
  return { caller, execution };
}

/**
 * The row without its input and output (which can be large): what access checks and most routes need.
 * A grading's execution is not a run of the account's: it does not exist here (its results, some of
 * them hidden, are shown only through the classroom's own routes).
 */
function find(id: string) {
  return web().db.execution.findFirst({ where: { id, grading: { is: null } }, omit: { stdin: true, stdout: true, stderr: true, compileOutput: true } });
}

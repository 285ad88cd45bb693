import { requireBearer, type Caller } from "../accounts/api-tokens";
import { ApiError } from "../http/errors";
import { web } from "./context";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The caller's own execution, or 404: someone else's looks exactly like one that does not exist. */
export async function ownExecution(request: Request, id: string): Promise<{ caller: Caller; execution: NonNullable<Awaited<ReturnType<typeof find>>> }> {
  const caller = await requireBearer(web().db, request);
  const execution = UUID.test(id) ? await find(id, caller.user.id) : null;
  if (!execution) throw new ApiError(404, "not_found", `No execution ${id} of yours exists.`);
  return { caller, execution };
}

function find(id: string, userId: string) {
  return web().db.execution.findFirst({ where: { id, userId } });
}

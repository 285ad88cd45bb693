import { requireBearer } from "@/lib/accounts/api-tokens";
import { ApiError } from "@/lib/http/errors";
import { route } from "@/lib/web/route";
import { web } from "@/lib/web/context";

/**
 * Any /api/v1 path without a route of its own. The token is checked first, so
 * an anonymous caller learns nothing about which routes exist (401), and a
 * signed-in one gets a clear 404.
 */
const notFound = route(async (request: Request) => {
  await requireBearer(web().db, request);
  throw new ApiError(404, "not_found", `No API route ${request.method} ${new URL(request.url).pathname}. See the README's API section.`);
});

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };

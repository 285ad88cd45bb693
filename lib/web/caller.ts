import { requireBearer } from "../accounts/api-tokens";
import type { PublicUser } from "../accounts/users";
import { currentUser } from "../auth/session";
import { ApiError } from "../http/errors";
import { web } from "./context";

export interface ApiCaller {
  user: PublicUser;
  via: "token" | "session";
}

/**
 * Who is calling an /api/v1 route: an API token (`Authorization: Bearer`),
 * or, for the app's own pages, the sign-in session cookie. A cookie rides
 * along with any request the browser makes, so a session may only change
 * things from a page of this app: the Origin header must be our own (the
 * cookie is also SameSite=Lax). Tokens are not sent implicitly and need no
 * such check.
 */
export async function requireCaller(request: Request): Promise<ApiCaller> {
  if (request.headers.has("authorization")) {
    const caller = await requireBearer(web().db, request);
    return { user: caller.user, via: "token" };
  }
  const user = await currentUser();
  if (!user) {
    throw new ApiError(401, "unauthorized", "Sign in, or send your API token as 'Authorization: Bearer <token>'.", {
      "www-authenticate": 'Bearer realm="sam"',
    });
  }
  if (!["GET", "HEAD"].includes(request.method) && !sameOrigin(request)) {
    throw new ApiError(403, "cross_origin", "This request came from another site; changes with a session cookie must come from this app's pages.");
  }
  return { user, via: "session" };
}

function sameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin) return false;
  // Behind a trusted proxy the public host is the forwarded one; otherwise the header is the client's word.
  const host = (web().config.SAM_TRUST_PROXY && request.headers.get("x-forwarded-host")) || request.headers.get("host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

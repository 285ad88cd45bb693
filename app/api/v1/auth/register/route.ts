import { credentialsSchema } from "@/lib/accounts/credentials";
import { createUser } from "@/lib/accounts/users";
import { issueToken } from "@/lib/accounts/api-tokens";
import { readJson } from "@/lib/http/errors";
import { route } from "@/lib/web/route";
import { web } from "@/lib/web/context";

/** POST /api/v1/auth/register {username, password} -> 201 {user: {id, username}, token} */
export const POST = route(async (request: Request) => {
  const { db } = web();
  const credentials = await readJson(request, credentialsSchema);
  const user = await createUser(db, credentials);
  const token = await issueToken(db, user.id);
  return Response.json({ user, token }, { status: 201, headers: { "cache-control": "no-store" } });
});

import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { authOptions } from "./options";

export interface SessionUser {
  id: string;
  username: string;
}

/**
 * The signed-in user for a page or an API call with the session cookie, or
 * undefined. The session callback (options.ts) already checked the sign-in's
 * record: one that was signed out, expired, or whose account was deleted
 * counts as signed out.
 */
export async function currentUser(): Promise<SessionUser | undefined> {
  const session = await getServerSession(authOptions());
  const user = session?.user as { id?: string; name?: string } | undefined;
  if (!user?.id || !user.name) return undefined;
  return { id: user.id, username: user.name };
}

/** For pages that need a signed-in user: everyone else goes to the sign-in page and comes back after. */
export async function requireUser(returnTo: string): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
  return user;
}

import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { authOptions } from "./options";
import { web } from "../web/context";

export interface SessionUser {
  id: string;
  username: string;
}

/** The signed-in user for a page, or undefined. A session whose account was deleted counts as signed out. */
export async function currentUser(): Promise<SessionUser | undefined> {
  const session = await getServerSession(authOptions());
  const id = (session?.user as { id?: string } | undefined)?.id;
  if (!id) return undefined;
  const user = await web().db.user.findUnique({ where: { id }, select: { id: true, username: true } });
  return user ?? undefined;
}

/** For pages that need a signed-in user: everyone else goes to the sign-in page and comes back after. */
export async function requireUser(returnTo: string): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
  return user;
}

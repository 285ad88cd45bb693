import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/session";
import { web } from "@/lib/web/context";
import { AuthCard } from "../_components/AuthCard";
import { SignInForm } from "../_components/SignInForm";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { PendingInvitation } from "../join/PendingInvitation";

export default async function SignInPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await props.searchParams;
  const callbackUrl = safeCallbackUrl(params.callbackUrl, web().config.publicUrl);
  if (await currentUser()) redirect(callbackUrl);
  const error = typeof params.error === "string" ? params.error : undefined;
  return (
    <AuthCard title="Sign in to your workspace">
      {/* Sent here by a share link: which room waits for them. */}
      {callbackUrl === "/join" && <PendingInvitation />}
      <SignInForm callbackUrl={callbackUrl} initialError={error} github={Boolean(web().config.githubOAuth)} />
    </AuthCard>
  );
}

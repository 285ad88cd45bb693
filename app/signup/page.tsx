import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/session";
import { web } from "@/lib/web/context";
import { AuthCard } from "../_components/AuthCard";
import { SignUpForm } from "../_components/SignUpForm";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { PendingInvitation } from "../join/PendingInvitation";

export default async function SignUpPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await props.searchParams;
  const callbackUrl = safeCallbackUrl(params.callbackUrl, web().config.publicUrl);
  if (await currentUser()) redirect(callbackUrl);
  return (
    <AuthCard title="Create your account">
      {/* Sent here by a share link: which room waits for them. */}
      {callbackUrl === "/join" && <PendingInvitation />}
      <SignUpForm callbackUrl={callbackUrl} registration={web().config.SAM_REGISTRATION} />
    </AuthCard>
  );
}

import { currentUser } from "@/lib/auth/session";
import { web } from "@/lib/web/context";
import { AuthCard } from "../_components/AuthCard";
import { JoinRoom } from "./JoinRoom";

/** /join#<token>: a share link. The token stays in the fragment, which never reaches a server's logs. */
export default async function JoinPage() {
  const signedIn = Boolean(await currentUser());
  return (
    <AuthCard title="Joining a shared room">
      <JoinRoom signedIn={signedIn} github={Boolean(web().config.githubOAuth)} />
    </AuthCard>
  );
}

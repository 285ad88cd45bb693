import { AuthCard } from "../_components/AuthCard";
import { JoinRoom } from "../_components/rooms/JoinRoom";

/** /join#<token>: a share link. The token stays in the fragment, which never reaches a server's logs. */
export default function JoinPage() {
  return (
    <AuthCard title="Joining a shared room">
      <JoinRoom />
    </AuthCard>
  );
}

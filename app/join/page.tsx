import { JoinRoom } from "../_components/rooms/JoinRoom";

/** /join#<token>: a share link. The token stays in the fragment, which never reaches a server's logs. */
export default function JoinPage() {
  return (
    <main className="auth-page">
      <div className="card">
        <p className="brand">
          SAM <span>Compiler</span>
        </p>
        <JoinRoom />
      </div>
    </main>
  );
}

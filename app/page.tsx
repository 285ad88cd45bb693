import { requireUser } from "@/lib/auth/session";
import { SignOutButton } from "./_components/SignOutButton";

/** The workspace: the signed-in home page. Rooms arrive with the collaborative-rooms issue. */
export default async function WorkspacePage() {
  const user = await requireUser("/");
  return (
    <>
      <header className="topbar">
        <div className="brand">
          SAM <span>Compiler</span>
        </div>
        <div className="who">
          <span data-testid="signed-in-as">
            Signed in as <strong>{user.username}</strong>
          </span>
          <SignOutButton />
        </div>
      </header>
      <main className="workspace">
        <h1>Your workspace</h1>
        <div className="empty" role="status">
          <p>
            <span className="status-dot" aria-hidden="true" />
            You have no rooms yet.
          </p>
          <p>Rooms, where you and others edit the same files and run them together, will be listed here.</p>
        </div>
      </main>
    </>
  );
}

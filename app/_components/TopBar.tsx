import Link from "next/link";
import { SignOutButton } from "./SignOutButton";

/** The bar at the top of every signed-in page. */
export function TopBar({ username, children }: { username: string; children?: React.ReactNode }) {
  return (
    <header className="topbar">
      <Link href="/" className="brand">
        SAM <span>Compiler</span>
      </Link>
      {children}
      <div className="who">
        <span data-testid="signed-in-as">
          Signed in as <strong>{username}</strong>
        </span>
        <SignOutButton />
      </div>
    </header>
  );
}

import Link from "next/link";
import { SignOutButton } from "./SignOutButton";

/** The bar at the top of every signed-in page; administrators also get a link to the operator's view. */
export function TopBar({ username, admin = false, children }: { username: string; admin?: boolean; children?: React.ReactNode }) {
  return (
    <header className="topbar">
      <Link href="/" className="brand">
        SAM <span>Compiler</span>
      </Link>
      {children}
      <div className="who">
        <Link href="/courses" data-testid="courses-link">
          Courses
        </Link>
        {admin && (
          <Link href="/admin" data-testid="admin-link">
            Admin
          </Link>
        )}
        <span data-testid="signed-in-as">
          Signed in as <strong>{username}</strong>
        </span>
        <SignOutButton />
      </div>
    </header>
  );
}

import Link from "next/link";
import { cookies } from "next/headers";
import { SignOutButton } from "./SignOutButton";
import { parseThemeChoice, THEME_COOKIE } from "./theme/theme-choice";
import { ThemeSwitch } from "./theme/ThemeSwitch";

/** The bar at the top of every signed-in page; administrators also get a link to the operator's view. */
export async function TopBar({ username, admin = false, children }: { username: string; admin?: boolean; children?: React.ReactNode }) {
  const theme = parseThemeChoice((await cookies()).get(THEME_COOKIE)?.value);
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
        <ThemeSwitch username={username} initial={theme} />
        <span data-testid="signed-in-as">
          Signed in as <strong>{username}</strong>
        </span>
        <SignOutButton />
      </div>
    </header>
  );
}

import type { Metadata } from "next";
import { cookies, headers } from "next/headers";
import { parseThemeChoice, THEME_COOKIE } from "./_components/theme/theme-choice";
import "./globals.css";

export const metadata: Metadata = {
  title: "SAM Compiler",
  description: "Code together in the browser; run it safely in isolated sandboxes.",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Reading the request makes every page render per request, which the CSP nonce needs (see proxy.ts).
  await headers();
  // The chosen theme is on <html> in the first byte of the page: no script, no flash of the other theme.
  // "system" leaves it to the CSS (light-dark() follows prefers-color-scheme).
  const theme = parseThemeChoice((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" data-theme={theme}>
      <body>{children}</body>
    </html>
  );
}

/**
 * The theme a person picks: follow the system setting (prefers-color-scheme),
 * or always light, or always dark. Shared by the server (the root layout reads
 * the cookie to render the right theme before the first paint) and the client
 * (the switch in the top bar), so it holds no browser code.
 */
export const THEME_CHOICES = ["system", "light", "dark"] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];

/** What the page actually shows once "system" is resolved. */
export type Theme = "light" | "dark";

/**
 * The browser's current choice, read by the server on every page (sign-in
 * pages included, where nobody is known yet). A cookie, not a script: the
 * Content-Security-Policy allows no inline script without a nonce, and the
 * server can put the theme on <html> before anything is painted.
 */
export const THEME_COOKIE = "sam-theme";

/** Anything that is not a known choice (absent, old, tampered with) follows the system. */
export function parseThemeChoice(value: unknown): ThemeChoice {
  return THEME_CHOICES.includes(value as ThemeChoice) ? (value as ThemeChoice) : "system";
}

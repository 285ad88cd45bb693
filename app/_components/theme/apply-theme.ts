"use client";

import { THEME_COOKIE, type ThemeChoice } from "./theme-choice";

const YEAR_SECONDS = 365 * 24 * 60 * 60;

/**
 * Shows a theme at once (the CSS variables follow <html data-theme>) and keeps
 * it for the next page load in the cookie the server reads.
 */
export function applyThemeChoice(choice: ThemeChoice): void {
  document.documentElement.dataset.theme = choice;
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  // biome-ignore lint/suspicious/noDocumentCookie: a plain first-party preference cookie; the Cookie Store API is not in every browser.
  document.cookie = `${THEME_COOKIE}=${choice}; Path=/; Max-Age=${YEAR_SECONDS}; SameSite=Lax${secure}`;
}

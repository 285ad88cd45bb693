"use client";

import { useSyncExternalStore } from "react";
import type { Theme } from "./theme-choice";

const LIGHT_SYSTEM = "(prefers-color-scheme: light)";

/** The theme the page shows now: the explicit choice on <html>, or the system's for "system". */
function current(): Theme {
  const chosen = document.documentElement.dataset.theme;
  if (chosen === "light" || chosen === "dark") return chosen;
  return window.matchMedia(LIGHT_SYSTEM).matches ? "light" : "dark";
}

function subscribe(onChange: () => void): () => void {
  // The switch changes <html data-theme>; the system setting can change under a "system" choice.
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  const system = window.matchMedia(LIGHT_SYSTEM);
  system.addEventListener("change", onChange);
  return () => {
    observer.disconnect();
    system.removeEventListener("change", onChange);
  };
}

/**
 * Light or dark, for the parts CSS cannot reach: Monaco (vs / vs-dark) and
 * xterm.js (TerminalView's `theme`). Follows the switch and the system live.
 */
export function useResolvedTheme(): Theme {
  // The server cannot know the system setting; the editor and terminals only render in the browser anyway.
  return useSyncExternalStore(subscribe, current, () => "dark");
}

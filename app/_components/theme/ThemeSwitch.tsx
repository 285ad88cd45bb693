"use client";

import { useEffect, useState } from "react";
import { loadPreferences, savePreferences } from "../room/layout/preferences-storage";
import { applyThemeChoice } from "./apply-theme";
import { parseThemeChoice, THEME_CHOICES, type ThemeChoice } from "./theme-choice";

const LABELS: Record<ThemeChoice, string> = { system: "System", light: "Light", dark: "Dark" };

/**
 * System | Light | Dark, in the top bar of every signed-in page. The choice
 * goes to the browser's cookie (the server paints the next page with it) and
 * to this person's stored preferences: when someone else used this browser
 * since, their cookie is replaced by this person's own choice on arrival.
 */
export function ThemeSwitch(props: { username: string; initial: ThemeChoice }) {
  const [choice, setChoice] = useState<ThemeChoice>(props.initial);

  useEffect(() => {
    const mine = loadPreferences(props.username).theme;
    if (mine && mine !== props.initial) {
      applyThemeChoice(mine);
      setChoice(mine);
    }
  }, [props.username, props.initial]);

  return (
    <label className="theme-switch">
      <span className="visually-hidden">Theme</span>
      <select
        value={choice}
        onChange={(e) => {
          const next = parseThemeChoice(e.target.value);
          setChoice(next);
          applyThemeChoice(next);
          savePreferences(props.username, { theme: next });
        }}
        aria-label="Theme"
        data-testid="theme"
      >
        {THEME_CHOICES.map((c) => (
          <option key={c} value={c}>
            {LABELS[c]}
          </option>
        ))}
      </select>
    </label>
  );
}

"use client";

import { type Preferences, parsePreferences, preferencesKey, withChanges } from "./preferences";

/**
 * localStorage access for preferences. Storage can be missing or refuse
 * writes (private windows, a full quota, disabled site data): preferences are
 * then simply not remembered, and the page works the same.
 */
export function loadPreferences(username: string): Preferences {
  try {
    return parsePreferences(window.localStorage.getItem(preferencesKey(username)));
  } catch {
    return parsePreferences(null);
  }
}

/** Merges `changes` into the stored entry: the theme switch and the room each write only their own fields. */
export function savePreferences(username: string, changes: Partial<Preferences>): void {
  try {
    const key = preferencesKey(username);
    window.localStorage.setItem(key, withChanges(window.localStorage.getItem(key), changes));
  } catch {
    // Not remembered this time; nothing else depends on it.
  }
}

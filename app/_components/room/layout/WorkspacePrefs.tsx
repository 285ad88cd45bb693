"use client";

import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { Theme } from "../../theme/theme-choice";
import { useResolvedTheme } from "../../theme/useResolvedTheme";
import { DEFAULT_PREFERENCES, type Preferences } from "./preferences";
import { loadPreferences, savePreferences } from "./preferences-storage";

interface WorkspacePrefsValue extends Preferences {
  /** False until this person's stored preferences are read (in the browser, after the first render). */
  loaded: boolean;
  change(changes: Partial<Preferences>): void;
}

const Context = createContext<WorkspacePrefsValue | null>(null);

/** The room's preferences for everything inside it: the layout, the editor and the terminals. */
export function WorkspacePrefsProvider(props: { username: string; children: React.ReactNode }) {
  const { username } = props;
  const [prefs, setPrefs] = useState<Preferences>();
  // localStorage exists only in the browser: read it after the server-rendered first pass.
  useEffect(() => setPrefs(loadPreferences(username)), [username]);
  const change = useCallback(
    (changes: Partial<Preferences>) => {
      savePreferences(username, changes);
      setPrefs((p) => ({ ...(p ?? DEFAULT_PREFERENCES), ...changes }));
    },
    [username],
  );
  const value = useMemo(() => ({ ...(prefs ?? DEFAULT_PREFERENCES), loaded: prefs !== undefined, change }), [prefs, change]);
  return <Context.Provider value={value}>{props.children}</Context.Provider>;
}

/**
 * The preferences and the theme in use. Terminals and the editor take
 * `theme` and `fontSize` from here; outside a room the defaults apply.
 */
export function useWorkspacePrefs(): WorkspacePrefsValue & { theme: Theme } {
  const theme = useResolvedTheme();
  const value = useContext(Context);
  return { ...(value ?? { ...DEFAULT_PREFERENCES, loaded: true, change: () => {} }), theme };
}

import { THEME_CHOICES, type ThemeChoice } from "../../theme/theme-choice";

/**
 * One person's workspace preferences: theme, font size, which panel tab is
 * open and the panel sizes. Kept in the browser's localStorage, one entry per
 * user (see preferencesKey): sizes fit the screen they were made on, so they
 * belong to the device, and a shared computer (a lab, a classroom) keeps each
 * person's own. Everything read back is checked here: storage is user-editable
 * and may hold an older shape, so anything wrong falls back to the default.
 */

export const FONT_SIZE = { min: 10, max: 24, default: 14 } as const;

/** The tabs of the panel under the editor; helpers fill the slots (see RoomLayout). */
export const DOCK_TABS = ["output", "terminal", "history"] as const;
export type DockTab = (typeof DOCK_TABS)[number];

/** The resizable groups and their panels' ids (percentages of the group, as react-resizable-panels reports them). */
export const PANEL_GROUPS = {
  columns: ["panel-side", "panel-main"],
  rows: ["panel-editor", "panel-dock"],
} as const;
export type PanelGroup = keyof typeof PANEL_GROUPS;
export type PanelLayout = Record<string, number>;

export interface Preferences {
  /** Absent until this person picks one: then the browser's cookie decides. */
  theme?: ThemeChoice;
  fontSize: number;
  dockTab: DockTab;
  columns?: PanelLayout;
  rows?: PanelLayout;
}

export const DEFAULT_PREFERENCES: Preferences = { fontSize: FONT_SIZE.default, dockTab: "output" };

/** A stored entry larger than this is not ours: ignore it rather than parse it. */
export const MAX_STORED_CHARS = 4096;

/** The localStorage key of a person's preferences; usernames are unique regardless of case and never change. */
export function preferencesKey(username: string): string {
  return `sam:prefs:${username.toLowerCase()}`;
}

export function parseFontSize(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= FONT_SIZE.min && value <= FONT_SIZE.max ? value : undefined;
}

/** A layout for `group`: exactly its panels, each 0-100, adding up to 100 (give or take rounding). */
export function parsePanelLayout(group: PanelGroup, value: unknown): PanelLayout | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const ids: readonly string[] = PANEL_GROUPS[group];
  const entries = Object.entries(value);
  if (entries.length !== ids.length || !entries.every(([id]) => ids.includes(id))) return undefined;
  if (!entries.every(([, size]) => typeof size === "number" && Number.isFinite(size) && size >= 0 && size <= 100)) return undefined;
  const total = entries.reduce((sum, [, size]) => sum + (size as number), 0);
  return Math.abs(total - 100) <= 1 ? (Object.fromEntries(entries) as PanelLayout) : undefined;
}

/** Stored text to preferences: every field checked on its own, so one bad field does not lose the others. */
export function parsePreferences(raw: string | null | undefined): Preferences {
  if (!raw || raw.length > MAX_STORED_CHARS) return { ...DEFAULT_PREFERENCES };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ...DEFAULT_PREFERENCES };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ...DEFAULT_PREFERENCES };
  const v = value as Record<string, unknown>;
  const prefs: Preferences = {
    fontSize: parseFontSize(v.fontSize) ?? DEFAULT_PREFERENCES.fontSize,
    dockTab: DOCK_TABS.includes(v.dockTab as DockTab) ? (v.dockTab as DockTab) : DEFAULT_PREFERENCES.dockTab,
  };
  if (THEME_CHOICES.includes(v.theme as ThemeChoice)) prefs.theme = v.theme as ThemeChoice;
  const columns = parsePanelLayout("columns", v.columns);
  if (columns) prefs.columns = columns;
  const rows = parsePanelLayout("rows", v.rows);
  if (rows) prefs.rows = rows;
  return prefs;
}

/** The stored text after a change to some fields (the others as they were). */
export function withChanges(raw: string | null | undefined, changes: Partial<Preferences>): string {
  return JSON.stringify(parsePreferences(JSON.stringify({ ...parsePreferences(raw), ...changes })));
}

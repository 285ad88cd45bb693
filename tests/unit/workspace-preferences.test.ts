import { describe, expect, it } from "vitest";
import {
  DEFAULT_PREFERENCES,
  FONT_SIZE,
  MAX_STORED_CHARS,
  parsePanelLayout,
  parsePreferences,
  preferencesKey,
  withChanges,
} from "../../app/_components/room/layout/preferences";
import { parseThemeChoice } from "../../app/_components/theme/theme-choice";

// What the room reads back from localStorage (user-editable, maybe an older shape) and the theme cookie.
describe("workspace preferences", () => {
  it("reads back what was stored", () => {
    const stored = {
      theme: "light",
      fontSize: 18,
      dockTab: "terminal",
      columns: { "panel-side": 25, "panel-main": 75 },
      rows: { "panel-editor": 60.5, "panel-dock": 39.5 },
    };
    expect(parsePreferences(JSON.stringify(stored))).toEqual(stored);
  });

  it("falls back to the defaults for nothing, junk, or something too large to be ours", () => {
    for (const raw of [null, undefined, "", "not json", "[]", "42", "null", `{"fontSize":${"1".repeat(MAX_STORED_CHARS)}}`])
      expect(parsePreferences(raw)).toEqual(DEFAULT_PREFERENCES);
  });

  it("keeps the good fields when one is bad", () => {
    const prefs = parsePreferences(JSON.stringify({ theme: "purple", fontSize: 18, dockTab: "nowhere", columns: { "panel-side": 30, "panel-main": 70 } }));
    expect(prefs).toEqual({ fontSize: 18, dockTab: "output", columns: { "panel-side": 30, "panel-main": 70 } });
  });

  it("bounds the font size to whole pixels within the range", () => {
    for (const fontSize of [FONT_SIZE.min - 1, FONT_SIZE.max + 1, 13.5, "16", Number.NaN, null])
      expect(parsePreferences(JSON.stringify({ fontSize })).fontSize).toBe(FONT_SIZE.default);
    expect(parsePreferences(JSON.stringify({ fontSize: FONT_SIZE.min })).fontSize).toBe(FONT_SIZE.min);
    expect(parsePreferences(JSON.stringify({ fontSize: FONT_SIZE.max })).fontSize).toBe(FONT_SIZE.max);
  });

  it("takes a panel layout only with exactly its panels, each 0-100, adding up to 100", () => {
    expect(parsePanelLayout("rows", { "panel-editor": 70, "panel-dock": 30 })).toEqual({ "panel-editor": 70, "panel-dock": 30 });
    expect(parsePanelLayout("rows", { "panel-editor": 70.4, "panel-dock": 30 })).toBeDefined(); // rounding
    expect(parsePanelLayout("rows", { "panel-editor": 80, "panel-dock": 30 })).toBeUndefined();
    expect(parsePanelLayout("rows", { "panel-editor": 100 })).toBeUndefined();
    expect(parsePanelLayout("rows", { "panel-editor": 70, "panel-dock": 30, extra: 0 })).toBeUndefined();
    expect(parsePanelLayout("rows", { "panel-side": 70, "panel-main": 30 })).toBeUndefined(); // the other group's
    expect(parsePanelLayout("rows", { "panel-editor": 130, "panel-dock": -30 })).toBeUndefined();
    expect(parsePanelLayout("rows", { "panel-editor": "70", "panel-dock": 30 })).toBeUndefined();
    expect(parsePanelLayout("columns", [50, 50])).toBeUndefined();
    expect(parsePanelLayout("columns", null)).toBeUndefined();
  });

  it("changes only the given fields, and never stores a bad value", () => {
    const first = withChanges(null, { theme: "dark" });
    const second = withChanges(first, { fontSize: 20 });
    expect(parsePreferences(second)).toEqual({ ...DEFAULT_PREFERENCES, theme: "dark", fontSize: 20 });
    expect(parsePreferences(withChanges(second, { fontSize: 99 })).fontSize).toBe(FONT_SIZE.default);
  });

  it("keys each person's entry by their username, whatever its case", () => {
    expect(preferencesKey("Ada")).toBe(preferencesKey("ada"));
    expect(preferencesKey("ada")).not.toBe(preferencesKey("bob"));
  });

  it("reads the theme cookie: anything unknown follows the system", () => {
    expect(parseThemeChoice("light")).toBe("light");
    expect(parseThemeChoice("dark")).toBe("dark");
    expect(parseThemeChoice("system")).toBe("system");
    for (const value of [undefined, "", "Dark", "blue", 1]) expect(parseThemeChoice(value)).toBe("system");
  });
});

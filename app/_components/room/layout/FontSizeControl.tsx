"use client";

import { FONT_SIZE } from "./preferences";
import { useWorkspacePrefs } from "./WorkspacePrefs";

const SIZES = Array.from({ length: FONT_SIZE.max - FONT_SIZE.min + 1 }, (_, i) => FONT_SIZE.min + i);

/** The font size of the editor and the terminals, remembered for this person. */
export function FontSizeControl() {
  const { fontSize, change } = useWorkspacePrefs();
  return (
    <label className="font-size">
      Font
      <select
        value={fontSize}
        onChange={(e) => change({ fontSize: Number(e.target.value) })}
        aria-label="Editor and terminal font size"
        data-testid="font-size"
      >
        {SIZES.map((size) => (
          <option key={size} value={size}>
            {size}px
          </option>
        ))}
      </select>
    </label>
  );
}

"use client";

import type { ReactNode } from "react";
import type { DockTab } from "./preferences";

export interface DockSlot {
  id: DockTab;
  label: string;
  content: ReactNode;
}

/**
 * The panel under the editor: one tab each for Output, Terminal and History.
 * Every tab stays mounted while hidden, so a run keeps streaming into its
 * output and a shell stays connected while another tab is open.
 */
export function DockTabs(props: { slots: DockSlot[]; active: DockTab; onSelect(tab: DockTab): void }) {
  const shown = props.slots.some((s) => s.id === props.active) ? props.active : props.slots[0]?.id;
  return (
    <div className="dock">
      <div className="dock-tabs" role="tablist" aria-label="Output, terminal and history">
        {props.slots.map((s) => (
          <button
            key={s.id}
            type="button"
            role="tab"
            id={`dock-tab-${s.id}`}
            aria-selected={s.id === shown}
            aria-controls={`dock-panel-${s.id}`}
            data-testid={`dock-tab-${s.id}`}
            onClick={() => props.onSelect(s.id)}
          >
            {s.label}
          </button>
        ))}
      </div>
      {props.slots.map((s) => (
        <div key={s.id} role="tabpanel" id={`dock-panel-${s.id}`} aria-labelledby={`dock-tab-${s.id}`} className="dock-panel" hidden={s.id !== shown}>
          {s.content}
        </div>
      ))}
    </div>
  );
}

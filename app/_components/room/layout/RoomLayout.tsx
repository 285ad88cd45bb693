"use client";

import type { ReactNode } from "react";
import { Group, type Layout, type LayoutChangedMeta, Panel, Separator } from "react-resizable-panels";
import { type DockSlot, DockTabs } from "./DockTabs";
import type { PanelGroup } from "./preferences";
import { useWorkspacePrefs } from "./WorkspacePrefs";

/**
 * The room's resizable layout:
 *
 *   [toolbar: one full-width row, e.g. the run configuration]
 *   side (files, people) | editor (tabs + Monaco)
 *                        | ------------------------
 *                        | dock: Output | Terminal | History
 *
 * Both handles drag (and move with the arrow keys when focused). Sizes and the
 * open dock tab are remembered for this person (WorkspacePrefs). The layout
 * owns no content: RoomWorkspace hands each slot its element.
 */
export function RoomLayout(props: { toolbar?: ReactNode; side: ReactNode; editor: ReactNode; dock: DockSlot[] }) {
  const prefs = useWorkspacePrefs();
  // The saved sizes are the panels' first sizes: wait for them rather than jump after the first paint.
  if (!prefs.loaded) return <div className="room-panels" aria-busy="true" />;
  const remember = (group: PanelGroup) => (layout: Layout, meta: LayoutChangedMeta) => {
    // Only the person's own drags: not the sizes a small window forced for a while.
    if (!meta.isUserInteraction) return;
    const sizes = meta.requestedLayout ?? layout;
    prefs.change(group === "columns" ? { columns: sizes } : { rows: sizes });
  };
  return (
    <>
      {props.toolbar && <div className="room-toolbar">{props.toolbar}</div>}
      <Group id="room-columns" className="room-panels" orientation="horizontal" defaultLayout={prefs.columns} onLayoutChanged={remember("columns")}>
        <Panel id="panel-side" defaultSize={240} minSize={150} maxSize="50%">
          {props.side}
        </Panel>
        <Separator id="handle-side" className="panel-handle" aria-label="Resize the side bar" />
        <Panel id="panel-main" minSize="30%">
          <Group id="room-rows" orientation="vertical" defaultLayout={prefs.rows} onLayoutChanged={remember("rows")}>
            <Panel id="panel-editor" minSize={80}>
              {props.editor}
            </Panel>
            <Separator id="handle-dock" className="panel-handle" aria-label="Resize the output panel" />
            <Panel id="panel-dock" defaultSize="40%" minSize={230}>
              <DockTabs slots={props.dock} active={prefs.dockTab} onSelect={(dockTab) => prefs.change({ dockTab })} />
            </Panel>
          </Group>
        </Panel>
      </Group>
    </>
  );
}

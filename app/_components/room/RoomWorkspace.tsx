"use client";

import dynamic from "next/dynamic";
import { useCallback, useEffect, useMemo, useState } from "react";
import type { PresenceCursor } from "@/lib/rooms/presence";
import type { RoomAssignment } from "@/lib/classroom/submissions/room-panel";
import { AssignmentPanel } from "../classroom/AssignmentPanel";
import { LeaveRoomButton } from "../rooms/LeaveRoomButton";
import { HelpButton } from "../classroom/HelpButton";
import { editsDelivered } from "./edits-delivered";
import { api, ApiFailure } from "./api";
import { FileTree } from "./FileTree";
import { FontSizeControl } from "./layout/FontSizeControl";
import type { DockSlot } from "./layout/DockTabs";
import { RoomLayout } from "./layout/RoomLayout";
import { WorkspacePrefsProvider } from "./layout/WorkspacePrefs";
import { HistoryPanel } from "./history/HistoryPanel";
import { Presence } from "./Presence";
import { RemoteCursors } from "./RemoteCursors";
import { RoomErrorBoundary } from "./RoomErrorBoundary";
import { RunPanel } from "./RunPanel";
import { RoomTerminal } from "./terminal/RoomTerminal";
import { RunConfigBar } from "./run-config/RunConfigBar";
import { RunThisFile } from "./run-config/RunThisFile";
import { useRunConfig } from "./run-config/useRunConfig";
import { useRuntimes } from "./run-config/useRuntimes";
import { readRunConfig, runRequestBody } from "@/lib/rooms/run-config";
import { SharePanel } from "./SharePanel";
import { Tabs } from "./Tabs";
import { usePresence } from "./usePresence";
import { useRoomConnection } from "./useRoomConnection";
import { useRoomFiles } from "./useRoomFiles";
import { useRoomRuns } from "./useRoomRuns";

// Monaco touches the browser's window as it loads: the editor only ever renders in the browser.
const EditorPane = dynamic(() => import("./EditorPane").then((m) => m.EditorPane), {
  ssr: false,
  loading: () => <div className="editor placeholder">Loading the editor…</div>,
});

const STATE_TEXT = { connecting: "Connecting…", connected: "Connected", disconnected: "Offline: your edits are kept and merge when the connection returns" };

type Role = "viewer" | "editor" | "owner";

type RoomProps = {
  room: { id: string; name: string; language: string };
  role: Role;
  user: { id: string; username: string };
  /** Set when the room is a student's assignment workspace. */
  assignment?: RoomAssignment;
};

/** The room page: files, tabs and the editor, who is here, and runs everyone sees. */
export function RoomWorkspace(props: RoomProps) {
  return (
    <RoomErrorBoundary>
      <WorkspacePrefsProvider username={props.user.username}>
        <Room {...props} />
      </WorkspacePrefsProvider>
    </RoomErrorBoundary>
  );
}

function Room(props: RoomProps) {
  const { room, role, user } = props;
  const canEdit = role !== "viewer";
  const { doc, provider, state, synced, notice } = useRoomConnection(room.id, user);
  const { files, folders } = useRoomFiles(doc);
  const peers = usePresence(provider);
  const runs = useRoomRuns(room.id);
  const [tabs, setTabs] = useState<string[]>([]);
  const [active, setActive] = useState<string>();
  const [following, setFollowing] = useState<number>();
  const [reveal, setReveal] = useState<{ line: number; column: number; at: number }>();
  const runConfig = useRunConfig(doc);
  const runtimes = useRuntimes();
  const [runError, setRunError] = useState<string>();
  const [sharing, setSharing] = useState(false);
  const [history, setHistory] = useState(false);

  const pathOf = useCallback((id?: string) => files.find((f) => f.id === id)?.path, [files]);
  const open = useCallback((id: string) => {
    setTabs((t) => (t.includes(id) ? t : [...t, id]));
    setActive(id);
  }, []);

  // Once synced, open the first file so there is something to see; drop tabs of deleted files.
  useEffect(() => {
    setTabs((t) => t.filter((id) => files.some((f) => f.id === id)));
    if (synced && !active && files[0]) open(files[0].id);
    if (active && !files.some((f) => f.id === active)) setActive(undefined);
  }, [synced, files, active, open]);

  // Tell the others which file I have open (who I am, the room server tells them itself).
  useEffect(() => {
    provider?.setAwarenessField("cursor", active ? ({ fileId: active } satisfies PresenceCursor) : null);
  }, [provider, active]);

  // Following someone: go to their file and place whenever they move.
  const followed = peers.find((p) => p.clientId === following);
  useEffect(() => {
    if (!followed?.fileId) return;
    open(followed.fileId);
    if (followed.line) setReveal({ line: followed.line, column: followed.column ?? 1, at: Date.now() });
  }, [followed?.fileId, followed?.line, followed?.column, open]);

  const onCursor = useCallback(
    (line: number, column: number) => {
      if (active) provider?.setAwarenessField("cursor", { fileId: active, line, column } satisfies PresenceCursor);
    },
    [provider, active],
  );

  // Runs the room's shared configuration, or (Run this file) another entry and language once, with its args and input.
  const run = useCallback(
    async (once?: { entry: string; language: string }) => {
      if (!canEdit) return;
      setRunError(undefined);
      try {
        await editsDelivered(provider);
        const body = runRequestBody({ ...readRunConfig(doc), ...once }, room.language);
        await api(`/api/v1/rooms/${room.id}/runs`, { method: "POST", body });
      } catch (err) {
        setRunError(err instanceof ApiFailure ? err.message : "Could not start the run.");
      }
    },
    [canEdit, room.id, room.language, doc, provider],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
        e.preventDefault();
        void run();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [run]);

  const activePath = useMemo(() => pathOf(active), [pathOf, active]);
  // A file:line link in the run's output: open that file at that line.
  const openAt = useCallback(
    (path: string, line: number) => {
      const file = files.find((f) => f.path === path);
      if (!file) return;
      open(file.id);
      setReveal({ line, column: 1, at: Date.now() });
    },
    [files, open],
  );
  const paths = useMemo(() => files.map((f) => f.path), [files]);

  // The tabs of the panel under the editor (RoomLayout): one element each, kept mounted while hidden.
  const dock: DockSlot[] = [
    {
      id: "output",
      label: "Output",
      content: (
        <RunPanel
          roomId={room.id}
          canRun={canEdit}
          current={runs.current}
          history={runs.history}
          onRun={() => run()}
          onShow={(r) => runs.follow(r.id, r.startedBy)}
          error={runError}
          paths={paths}
          onOpenAt={openAt}
        />
      ),
    },
    { id: "terminal", label: "Terminal", content: <RoomTerminal roomId={room.id} canType={canEdit} doc={doc} /> },
    // History slot: { id: "history", label: "History", content: <the snapshots panel /> },
  ];

  return (
    <div className="room">
      <div className="room-bar">
        <h1>{room.name}</h1>
        <span className="tag">{room.language}</span>
        <span className={`role role-${role}`} data-testid="my-role">
          {role}
        </span>
        <span className={`connection ${state}`} role="status" data-testid="connection">
          <span className="status-dot" aria-hidden="true" /> {STATE_TEXT[state]}
        </span>
        <FontSizeControl />
        <button type="button" onClick={() => setHistory((h) => !h)} aria-pressed={history} data-testid="room-history">
          History
        </button>
        {role === "owner" && (
          <button type="button" onClick={() => setSharing(true)} data-testid="share">
            Share
          </button>
        )}
        {/* A workspace has no members to leave: the course decides who is in it. */}
        {role !== "owner" && !props.assignment && <LeaveRoomButton roomId={room.id} roomName={room.name} disconnect={() => provider?.destroy()} />}
      </div>
      {notice && (
        <p className="notice" role="alert">
          {notice}
        </p>
      )}
      {props.assignment && <AssignmentPanel {...props.assignment} beforeGrading={() => editsDelivered(provider)} />}
      {props.assignment?.mode === "student" && <HelpButton assignmentId={props.assignment.assignment.id} />}
      <RemoteCursors peers={peers} />
      <RoomLayout
        toolbar={<RunConfigBar doc={doc} config={runConfig} files={files} runtimes={runtimes} roomLanguage={room.language} canEdit={canEdit} />}
        side={
          <aside className="side">
            <FileTree doc={doc} roomId={room.id} files={files} folders={folders} activeId={active} canEdit={canEdit} onOpen={open} />
            <Presence peers={peers} pathOf={pathOf} following={following} onFollow={setFollowing} />
          </aside>
        }
        editor={
          <section className="center" aria-label="Editor">
            <RunThisFile path={activePath} runtimes={runtimes} canRun={canEdit} onRun={(entry, language) => void run({ entry, language })} />
            <Tabs
              tabs={tabs.map((id) => ({ id, path: pathOf(id) ?? "" }))}
              active={active}
              onSelect={setActive}
              onClose={(id) => {
                setTabs((t) => t.filter((x) => x !== id));
                if (active === id) setActive(tabs.find((x) => x !== id));
              }}
            />
            {provider && active && activePath ? (
              <EditorPane
                doc={doc}
                provider={provider}
                fileId={active}
                path={activePath}
                readOnly={!canEdit}
                reveal={reveal}
                onCursor={onCursor}
                onRun={() => void run()}
              />
            ) : (
              <div className="editor placeholder">{synced ? "Open a file from the list." : "Loading the room…"}</div>
            )}
          </section>
        }
        dock={dock}
      />
      {sharing && <SharePanel roomId={room.id} onClose={() => setSharing(false)} />}
      <HistoryPanel open={history} roomId={room.id} doc={doc} canEdit={canEdit} userId={user.id} isOwner={role === "owner"} onClose={() => setHistory(false)} />
    </div>
  );
}

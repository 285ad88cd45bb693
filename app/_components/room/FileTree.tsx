"use client";

import { type DragEvent, type ReactNode, useRef, useState } from "react";
import * as Y from "yjs";
import { filesOf, ROOM_DOCUMENT_LIMITS } from "@/lib/rooms/document";
import { createFile, createFolder, deletePath, movePath } from "@/lib/rooms/tree";
import { fromDrop, fromFileList } from "./files/collect-upload";
import { downloadText } from "./files/download";
import { NameField } from "./files/NameField";
import { UploadStatus } from "./files/UploadStatus";
import { useUpload } from "./files/useUpload";
import type { FileEntry } from "./useRoomFiles";

interface Node {
  name: string;
  path: string;
  fileId?: string;
  children: Map<string, Node>;
}

function buildTree(files: FileEntry[], folders: string[]): Node {
  const root: Node = { name: "", path: "", children: new Map() };
  const ensure = (parts: string[]): Node => {
    let node = root;
    parts.forEach((part, i) => {
      let child = node.children.get(part);
      if (!child) {
        child = { name: part, path: parts.slice(0, i + 1).join("/"), children: new Map() };
        node.children.set(part, child);
      }
      node = child;
    });
    return node;
  };
  for (const folder of folders) ensure(folder.split("/"));
  for (const f of files) ensure(f.path.split("/")).fileId = f.id;
  return root;
}

/** The name field open in the tree: a new file or folder (at the top), or a rename in place of its row. */
type Editing = { kind: "file" | "folder" } | { kind: "rename"; from: string };

/**
 * The room's files and folders: open a file, download one, or the whole room
 * as a zip (everyone); editors create, rename, move, delete and upload (live
 * for everyone). Names are typed in a field inside the tree (files/NameField).
 * Uploads come from the pickers or a drop on the tree (on a folder: into it);
 * files/useUpload checks each file before anything changes. The paths it gets
 * follow the rules (useRoomFiles.ts leaves out any that do not), so the tree
 * is at most ROOM_DOCUMENT_LIMITS.depth folders deep; rendering stops there regardless.
 */
export function FileTree(props: {
  doc: Y.Doc;
  roomId?: string;
  files: FileEntry[];
  folders: string[];
  activeId?: string;
  canEdit: boolean;
  onOpen(fileId: string): void;
}) {
  const { doc, canEdit } = props;
  const [editing, setEditing] = useState<Editing>();
  const [dropTarget, setDropTarget] = useState<string>();
  const filePicker = useRef<HTMLInputElement>(null);
  const folderPicker = useRef<HTMLInputElement>(null);
  const { state: upload, upload: startUpload, answer, dismiss } = useUpload(doc);

  const submit = (value: string): string | undefined => {
    if (!editing) return undefined;
    const problem =
      editing.kind === "rename" ? movePath(doc, editing.from, value) : editing.kind === "file" ? createFile(doc, value) : createFolder(doc, value);
    if (!problem) setEditing(undefined);
    return problem;
  };
  const remove = (node: Node) => {
    if (window.confirm(`Delete "${node.path}"${node.fileId ? "" : " and everything in it"} for everyone?`)) deletePath(doc, node.path);
  };
  const download = (node: Node) => {
    const text = filesOf(doc).get(node.fileId!)?.get("text");
    if (text instanceof Y.Text) downloadText(node.name, text.toString());
  };

  // Drops: on a folder's row, into that folder; anywhere else on the tree, into the top.
  const folderOf = (event: DragEvent) => (event.target as HTMLElement).closest<HTMLElement>("[data-drop-folder]")?.dataset.dropFolder ?? "";
  const onDragOver = (event: DragEvent) => {
    if (!canEdit || !event.dataTransfer.types.includes("Files")) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    setDropTarget(folderOf(event));
  };
  const onDrop = (event: DragEvent) => {
    setDropTarget(undefined);
    if (!canEdit) return;
    event.preventDefault();
    void startUpload(fromDrop(event.dataTransfer, folderOf(event)));
  };
  const onPicked = (input: HTMLInputElement) => {
    const files = input.files ? Array.from(input.files) : [];
    input.value = "";
    if (files.length) void startUpload(async () => fromFileList(files, ""));
  };

  const render = (node: Node, depth: number): ReactNode => {
    if (depth > ROOM_DOCUMENT_LIMITS.depth + 1) return null;
    return [...node.children.values()]
      .sort((a, b) => Number(!!a.fileId) - Number(!!b.fileId) || a.name.localeCompare(b.name))
      .map((child) => (
        <li key={child.path} data-drop-folder={child.fileId ? undefined : child.path}>
          {editing?.kind === "rename" && editing.from === child.path ? (
            <NameField label={`New path for ${child.path}`} initial={child.path} onSubmit={submit} onCancel={() => setEditing(undefined)} />
          ) : (
            <div
              className={`tree-row${child.fileId && child.fileId === props.activeId ? " active" : ""}${!child.fileId && dropTarget === child.path ? " drop-target" : ""}`}
            >
              {child.fileId ? (
                <button type="button" className="tree-item" onClick={() => props.onOpen(child.fileId!)} data-testid={`file-${child.path}`}>
                  {child.name}
                </button>
              ) : (
                <span className="tree-folder">{child.name}/</span>
              )}
              <span className="tree-actions">
                {child.fileId && (
                  <button type="button" onClick={() => download(child)} aria-label={`Download ${child.path}`} title="Download">
                    ⤓
                  </button>
                )}
                {canEdit && (
                  <>
                    <button
                      type="button"
                      onClick={() => setEditing({ kind: "rename", from: child.path })}
                      aria-label={`Rename or move ${child.path}`}
                      title="Rename or move"
                    >
                      ✎
                    </button>
                    <button type="button" onClick={() => remove(child)} aria-label={`Delete ${child.path}`} title="Delete">
                      ✕
                    </button>
                  </>
                )}
              </span>
            </div>
          )}
          {child.children.size > 0 && <ul>{render(child, depth + 1)}</ul>}
        </li>
      ));
  };

  return (
    <nav
      className={`file-tree${dropTarget === "" ? " drop-target" : ""}`}
      aria-label="Files"
      data-testid="tree-panel"
      onDragOver={onDragOver}
      onDragLeave={() => setDropTarget(undefined)}
      onDrop={onDrop}
    >
      <div className="panel-head">
        <h2>Files</h2>
        {canEdit && (
          <span>
            <button type="button" onClick={() => setEditing({ kind: "file" })} data-testid="new-file">
              + File
            </button>
            <button type="button" onClick={() => setEditing({ kind: "folder" })} data-testid="new-folder">
              + Folder
            </button>
          </span>
        )}
      </div>
      <div className="files-toolbar">
        {canEdit && (
          <>
            <button type="button" onClick={() => filePicker.current?.click()} title="Text files up to 1 MiB each; or drop files and folders on the tree">
              Upload files
            </button>
            <button type="button" onClick={() => folderPicker.current?.click()}>
              Upload folder
            </button>
            <input ref={filePicker} type="file" multiple hidden onChange={(e) => onPicked(e.currentTarget)} data-testid="upload-files-input" />
            <input
              ref={folderPicker}
              type="file"
              hidden
              // React does not know webkitdirectory; set as a plain attribute it makes the picker choose a folder.
              {...{ webkitdirectory: "" }}
              onChange={(e) => onPicked(e.currentTarget)}
              data-testid="upload-folder-input"
            />
          </>
        )}
        {props.roomId && (
          <a href={`/api/v1/rooms/${props.roomId}/archive`} download data-testid="download-zip" className="button-link">
            Download zip
          </a>
        )}
      </div>
      {canEdit && <p className="muted files-hint">Drop files or folders here. Rooms hold text files only; binary files are refused.</p>}
      <UploadStatus state={upload} answer={answer} dismiss={dismiss} />
      {editing && editing.kind !== "rename" && (
        <NameField
          label={editing.kind === "file" ? "New file (use / for folders, e.g. src/util.py)" : "New folder"}
          onSubmit={submit}
          onCancel={() => setEditing(undefined)}
        />
      )}
      <ul className="tree">{render(buildTree(props.files, props.folders), 0)}</ul>
      {props.files.length === 0 && <p className="muted">No files yet.</p>}
    </nav>
  );
}

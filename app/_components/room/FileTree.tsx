"use client";

import { useState, type ReactNode } from "react";
import type * as Y from "yjs";
import { ROOM_DOCUMENT_LIMITS } from "@/lib/rooms/document";
import { createFile, createFolder, deletePath, movePath } from "@/lib/rooms/tree";
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

/**
 * The room's files and folders: open a file; editors create, rename, move and
 * delete (live for everyone). The paths it gets follow the rules
 * (useRoomFiles.ts leaves out any that do not), so the tree is at most
 * ROOM_DOCUMENT_LIMITS.depth folders deep; rendering stops there regardless.
 */
export function FileTree(props: { doc: Y.Doc; files: FileEntry[]; folders: string[]; activeId?: string; canEdit: boolean; onOpen(fileId: string): void }) {
  const { doc, canEdit } = props;
  const [error, setError] = useState<string>();
  const report = (problem: string | undefined) => setError(problem ? `Not done: ${problem}.` : undefined);

  const ask = (question: string, initial: string) => window.prompt(question, initial)?.trim();
  const newFile = () => {
    const path = ask("New file (use / for folders, e.g. src/util.py)", "");
    if (path) report(createFile(doc, path));
  };
  const newFolder = () => {
    const path = ask("New folder", "");
    if (path) report(createFolder(doc, path));
  };
  const rename = (node: Node) => {
    const to = ask(`Rename or move "${node.path}" to`, node.path);
    if (to) report(movePath(doc, node.path, to));
  };
  const remove = (node: Node) => {
    if (window.confirm(`Delete "${node.path}"${node.fileId ? "" : " and everything in it"} for everyone?`)) deletePath(doc, node.path);
  };

  const render = (node: Node, depth: number): ReactNode => {
    if (depth > ROOM_DOCUMENT_LIMITS.depth + 1) return null;
    return [...node.children.values()]
      .sort((a, b) => Number(!!a.fileId) - Number(!!b.fileId) || a.name.localeCompare(b.name))
      .map((child) => (
        <li key={child.path}>
          <div className={`tree-row${child.fileId && child.fileId === props.activeId ? " active" : ""}`}>
            {child.fileId ? (
              <button type="button" className="tree-item" onClick={() => props.onOpen(child.fileId!)} data-testid={`file-${child.path}`}>
                {child.name}
              </button>
            ) : (
              <span className="tree-folder">{child.name}/</span>
            )}
            {canEdit && (
              <span className="tree-actions">
                <button type="button" onClick={() => rename(child)} aria-label={`Rename or move ${child.path}`} title="Rename or move">
                  ✎
                </button>
                <button type="button" onClick={() => remove(child)} aria-label={`Delete ${child.path}`} title="Delete">
                  ✕
                </button>
              </span>
            )}
          </div>
          {child.children.size > 0 && <ul>{render(child, depth + 1)}</ul>}
        </li>
      ));
  };

  return (
    <nav className="file-tree" aria-label="Files">
      <div className="panel-head">
        <h2>Files</h2>
        {canEdit && (
          <span>
            <button type="button" onClick={newFile} data-testid="new-file">
              + File
            </button>
            <button type="button" onClick={newFolder}>
              + Folder
            </button>
          </span>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <ul className="tree">{render(buildTree(props.files, props.folders), 0)}</ul>
      {props.files.length === 0 && <p className="muted">No files yet.</p>}
    </nav>
  );
}

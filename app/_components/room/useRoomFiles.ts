"use client";

import { useEffect, useState } from "react";
import * as Y from "yjs";
import { FILES, FOLDERS } from "@/lib/rooms/document";
import { pathProblem } from "@/lib/rooms/tree";

export interface FileEntry {
  id: string;
  path: string;
}

/**
 * The room's file list and explicit folders, updated live as anyone changes
 * the tree. Only what the page can show: entries that are not files, and
 * paths that break the rules (the room server refuses them, but a document
 * stored before it did, or relayed by a misbehaving process, may hold any),
 * are left out rather than break the page.
 */
export function useRoomFiles(doc: Y.Doc) {
  const [files, setFiles] = useState<FileEntry[]>([]);
  const [folders, setFolders] = useState<string[]>([]);

  useEffect(() => {
    const filesMap = doc.getMap<unknown>(FILES);
    const foldersMap = doc.getMap<unknown>(FOLDERS);
    let shown = "";
    const read = () => {
      const list: FileEntry[] = [];
      filesMap.forEach((entry, id) => {
        if (!(entry instanceof Y.Map)) return;
        const path = entry.get("path");
        if (typeof path === "string" && !pathProblem(path)) list.push({ id, path });
      });
      list.sort((a, b) => a.path.localeCompare(b.path));
      const folderList = [...foldersMap.entries()]
        .filter(([path, value]) => value === true && !pathProblem(path))
        .map(([path]) => path)
        .sort();
      // Typing also reaches this observer (the texts are nested): re-render only when the tree changed.
      const key = JSON.stringify([list, folderList]);
      if (key === shown) return;
      shown = key;
      setFiles(list);
      setFolders(folderList);
    };
    read();
    // observeDeep: a rename changes a nested map's "path".
    filesMap.observeDeep(read);
    foldersMap.observe(read);
    return () => {
      filesMap.unobserveDeep(read);
      foldersMap.unobserve(read);
    };
  }, [doc]);

  return { files, folders };
}

"use client";

import { useEffect, useState } from "react";
import type * as Y from "yjs";
import { FILES, FOLDERS } from "@/lib/rooms/document";

export interface FileEntry {
  id: string;
  path: string;
}

/** The room's file list and explicit folders, updated live as anyone changes the tree. */
export function useRoomFiles(doc: Y.Doc) {
  const [files, setFiles] = useState<FileEntry[]>([]);
  const [folders, setFolders] = useState<string[]>([]);

  useEffect(() => {
    const filesMap = doc.getMap<Y.Map<unknown>>(FILES);
    const foldersMap = doc.getMap<boolean>(FOLDERS);
    let shown = "";
    const read = () => {
      const list: FileEntry[] = [];
      filesMap.forEach((entry, id) => {
        const path = entry.get("path");
        if (typeof path === "string") list.push({ id, path });
      });
      list.sort((a, b) => a.path.localeCompare(b.path));
      const folderList = [...foldersMap.keys()].sort();
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

"use client";

import { useEffect, useState } from "react";
import type * as Y from "yjs";
import { type RunConfig, readRunConfig, runMapOf } from "@/lib/rooms/run-config";

/** The room's shared run configuration, updated live as anyone in the room changes it. */
export function useRunConfig(doc: Y.Doc): RunConfig {
  const [config, setConfig] = useState<RunConfig>(() => readRunConfig(doc));
  useEffect(() => {
    const map = runMapOf(doc);
    const read = () => setConfig(readRunConfig(doc));
    read();
    map.observe(read);
    return () => map.unobserve(read);
  }, [doc]);
  return config;
}

"use client";

import { useEffect, useState } from "react";
import { api } from "../api";

export interface RuntimeChoice {
  language: string;
  version: string;
  /** Where a run in this language starts; its extension maps a file to the language. */
  entryFile?: string;
}

/** The languages runners offer now (GET /api/v1/runtimes); empty until known or when none is offered. */
export function useRuntimes(): RuntimeChoice[] {
  const [runtimes, setRuntimes] = useState<RuntimeChoice[]>([]);
  useEffect(() => {
    let live = true;
    api<RuntimeChoice[]>("/api/v1/runtimes")
      .then((list) => live && setRuntimes(list))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return runtimes;
}

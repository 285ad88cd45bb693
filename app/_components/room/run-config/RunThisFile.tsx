"use client";

import { languageForPath } from "@/lib/rooms/run-config";
import type { RuntimeChoice } from "./useRuntimes";

/**
 * Runs the open file once, as the language its extension belongs to (from
 * the runtimes' entry files), without changing the room's configuration.
 */
export function RunThisFile(props: { path?: string; runtimes: RuntimeChoice[]; canRun: boolean; onRun(entry: string, language: string): void }) {
  const language = props.path ? languageForPath(props.path, props.runtimes) : undefined;
  if (!props.path) return null;
  return (
    <button
      type="button"
      className="run-this-file"
      onClick={() => language && props.path && props.onRun(props.path, language)}
      disabled={!props.canRun || !language}
      title={language ? `Run ${props.path} as ${language}, once (the room's configuration stays)` : `No language runs files like ${props.path}`}
      data-testid="run-this-file"
    >
      ▶ Run this file{language ? ` (${language})` : ""}
    </button>
  );
}

"use client";

import { useState } from "react";
import type * as Y from "yjs";
import { formatArgs, languageForPath, parseArgs, RUN_CONFIG_LIMITS, type RunConfig, writeRunConfig } from "@/lib/rooms/run-config";
import type { FileEntry } from "../useRoomFiles";
import type { RuntimeChoice } from "./useRuntimes";

/**
 * The room's run configuration, next to Run: the entry file, the language,
 * the program's arguments and its input. Everyone sees the same values as
 * they change (they live in the room's document); editors change them,
 * viewers only read them.
 */
export function RunConfigBar(props: { doc: Y.Doc; config: RunConfig; files: FileEntry[]; runtimes: RuntimeChoice[]; roomLanguage: string; canEdit: boolean }) {
  const { doc, config, canEdit } = props;
  const [problem, setProblem] = useState<string>();
  // The args line as typed, while it has the focus: a half-typed quote would not survive a round trip through the list.
  const [argsDraft, setArgsDraft] = useState<string>();

  const language = config.language ?? props.roomLanguage;
  const runtime = props.runtimes.find((r) => r.language === language);
  const languages = props.runtimes.some((r) => r.language === language) ? props.runtimes : [{ language, version: "not offered now" }, ...props.runtimes];
  const entryMissing = config.entry !== undefined && !props.files.some((f) => f.path === config.entry);
  // An entry whose extension belongs to another language most likely will not run as this one: say so, do not forbid it.
  const entryLanguage = config.entry ? languageForPath(config.entry, props.runtimes) : undefined;

  const change = (values: Partial<RunConfig>) => {
    try {
      writeRunConfig(doc, values);
      setProblem(undefined);
    } catch (err) {
      setProblem(err instanceof Error ? `Not kept: ${err.message}.` : "Not kept.");
    }
  };

  return (
    <section className="run-config" aria-label="Run configuration" data-testid="run-config">
      <label>
        Entry
        <select value={config.entry ?? ""} onChange={(e) => change({ entry: e.target.value || undefined })} disabled={!canEdit} data-testid="run-config-entry">
          <option value="">{runtime?.entryFile ? `${runtime.entryFile} (the language's entry)` : "the language's entry file"}</option>
          {entryMissing && <option value={config.entry}>{config.entry} (not in the room)</option>}
          {props.files.map((f) => (
            <option key={f.id} value={f.path}>
              {f.path}
            </option>
          ))}
        </select>
      </label>
      <label>
        Language
        <select value={language} onChange={(e) => change({ language: e.target.value })} disabled={!canEdit} data-testid="run-config-language">
          {languages.map((r) => (
            <option key={r.language} value={r.language}>
              {r.language}
            </option>
          ))}
        </select>
      </label>
      <label className="run-config-args">
        Args
        <input
          value={argsDraft ?? formatArgs(config.args)}
          onFocus={() => setArgsDraft(formatArgs(config.args))}
          onBlur={() => setArgsDraft(undefined)}
          onChange={(e) => {
            setArgsDraft(e.target.value);
            change({ args: parseArgs(e.target.value) });
          }}
          readOnly={!canEdit}
          placeholder="none"
          title={`Arguments, separated by spaces; quote one that holds spaces (at most ${RUN_CONFIG_LIMITS.args}).`}
          data-testid="run-config-args"
        />
      </label>
      <label className="run-config-stdin">
        Input (stdin)
        <textarea
          value={config.stdin}
          onChange={(e) => change({ stdin: e.target.value })}
          readOnly={!canEdit}
          rows={2}
          placeholder="What the program reads"
          title={`Given to the program when it starts (at most ${RUN_CONFIG_LIMITS.stdinBytes / 1024} KiB; larger input belongs in a file).`}
          data-testid="run-config-stdin"
        />
      </label>
      {entryMissing && (
        <p className="error" role="alert">
          The entry file {config.entry} is not in the room any more; choose another.
        </p>
      )}
      {!entryMissing && entryLanguage && entryLanguage !== language && (
        <p className="muted" data-testid="run-config-mismatch">
          {config.entry} looks like {entryLanguage}; the run uses {language}.
        </p>
      )}
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      {!canEdit && <p className="muted">The room's run configuration; editors change it.</p>}
    </section>
  );
}

import * as Y from "yjs";
import { isWellFormed } from "../executions/encoding";
import { MAX_ARGS } from "../executions/request";
import { RUN } from "./document";
import { pathProblem } from "./tree";

/**
 * A room's run configuration: what Run runs. It lives in the room's document
 * (root `run`, see document.ts) so that everyone in the room runs the same
 * thing and sees it change as it changes. One configuration, not a list of
 * named ones: a room is a small project, and "Run this file" covers the
 * one-off run of another file without touching what the others see.
 *
 * The room server checks every value written to it (runValueProblem, from
 * collab/document/update-check.ts), the page reads only values that pass the
 * same check, and the runs route checks the request again against the room
 * as it is (the entry must exist, the language must be served).
 */
export interface RunConfig {
  /** The file the run starts from; unset: the language's entry file where the room has it, else the first file. */
  entry?: string;
  /** A runtime's name; unset: the room's language. */
  language?: string;
  args: string[];
  stdin: string;
}

export const RUN_KEYS = ["entry", "language", "args", "stdin"] as const;
export type RunKey = (typeof RUN_KEYS)[number];

export const RUN_CONFIG_LIMITS = {
  /** A language name (runtimes are short lowercase names: "python", "cpp"). */
  languageLength: 32,
  args: MAX_ARGS,
  argLength: 4096,
  /**
   * The shared input, in UTF-8 bytes. Far below a run's 1 MiB: it is sent to
   * everyone in the room on each change; larger input belongs in a file.
   */
  stdinBytes: 64 * 1024,
} as const;

const LANGUAGE_PATTERN = /^[a-z0-9][a-z0-9+#._-]*$/;

export function utf8Bytes(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** Why `value` may not be stored under `key` in the run configuration; undefined when it may. */
export function runValueProblem(key: string | null, value: unknown): string | undefined {
  switch (key) {
    case "entry": {
      if (typeof value !== "string") return "a run entry that is not a string";
      const problem = pathProblem(value);
      return problem ? `a run entry: ${problem}` : undefined;
    }
    case "language":
      if (typeof value !== "string") return "a run language that is not a string";
      if (value.length > RUN_CONFIG_LIMITS.languageLength || !LANGUAGE_PATTERN.test(value)) return "a run language that is not a language name";
      return undefined;
    case "args":
      if (!Array.isArray(value)) return "run args that are not a list";
      if (value.length > RUN_CONFIG_LIMITS.args) return `more than ${RUN_CONFIG_LIMITS.args} run args`;
      for (const arg of value) {
        if (typeof arg !== "string") return "a run arg that is not a string";
        if (arg.length > RUN_CONFIG_LIMITS.argLength) return `a run arg longer than ${RUN_CONFIG_LIMITS.argLength} characters`;
        if (arg.includes("\0") || !isWellFormed(arg)) return "a run arg with NUL or a lone surrogate";
      }
      return undefined;
    case "stdin":
      if (typeof value !== "string") return "run input that is not a string";
      // Each UTF-16 unit is at least one UTF-8 byte: a long string is refused before it is encoded.
      if (value.length > RUN_CONFIG_LIMITS.stdinBytes || utf8Bytes(value) > RUN_CONFIG_LIMITS.stdinBytes)
        return `run input larger than ${RUN_CONFIG_LIMITS.stdinBytes} bytes`;
      if (!isWellFormed(value)) return "run input with a lone surrogate";
      return undefined;
    default:
      return "a run configuration key other than entry, language, args and stdin";
  }
}

export const runMapOf = (doc: Y.Doc) => doc.getMap<unknown>(RUN);

/** The configuration as stored; values that break the rules (a document stored before they existed) read as unset. */
export function readRunConfig(doc: Y.Doc): RunConfig {
  const map = runMapOf(doc);
  const valid = (key: RunKey) => {
    const value = map.get(key);
    return value !== undefined && !runValueProblem(key, value) ? value : undefined;
  };
  return {
    entry: valid("entry") as string | undefined,
    language: valid("language") as string | undefined,
    args: (valid("args") as string[] | undefined) ?? [],
    stdin: (valid("stdin") as string | undefined) ?? "",
  };
}

/** Changes some keys in one transaction; undefined (or an empty list or text) removes the key: back to the default. */
export function writeRunConfig(doc: Y.Doc, change: Partial<RunConfig>): void {
  const map = runMapOf(doc);
  doc.transact(() => {
    for (const key of RUN_KEYS) {
      if (!(key in change)) continue;
      const value = change[key];
      const unset = value === undefined || value === "" || (Array.isArray(value) && value.length === 0);
      if (unset) {
        if (map.has(key)) map.delete(key);
        continue;
      }
      const problem = runValueProblem(key, value);
      if (problem) throw new Error(problem);
      if (JSON.stringify(map.get(key)) !== JSON.stringify(value)) map.set(key, value);
    }
  });
}

/**
 * Arguments typed on one line: split at spaces; "double" or 'single' quotes
 * keep spaces in one argument, a backslash keeps the next character.
 */
export function parseArgs(line: string): string[] {
  const out: string[] = [];
  let current = "";
  let started = false;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "\\" && quote !== "'" && i + 1 < line.length) {
      current += line[++i];
      started = true;
    } else if (quote) {
      if (c === quote) quote = null;
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      started = true;
    } else if (/\s/.test(c)) {
      if (started) out.push(current);
      current = "";
      started = false;
    } else {
      current += c;
      started = true;
    }
  }
  if (started) out.push(current);
  return out;
}

/** The line parseArgs reads back as the same arguments. */
export function formatArgs(args: string[]): string {
  return args.map((a) => (a !== "" && /^[^\s"'\\]+$/.test(a) ? a : `'${a.replace(/'/g, `'"'"'`)}'`)).join(" ");
}

/** The extension of a path's file name, lowercase, without the dot ("" when it has none). */
export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}

/**
 * The language a file runs as, from its extension: the runtime whose entry
 * file (from the language catalogue, sandbox/languages/*.json) has the same
 * extension. Undefined when none has.
 */
export function languageForPath(path: string, runtimes: Array<{ language: string; entryFile?: string }>): string | undefined {
  const ext = extensionOf(path);
  if (!ext) return undefined;
  return runtimes.find((r) => r.entryFile && extensionOf(r.entryFile) === ext)?.language;
}

/** The language a new room starts with: python where a runner offers it, else the first one offered. */
export const PREFERRED_NEW_ROOM_LANGUAGE = "python";
export function defaultNewRoomLanguage(languages: Array<{ language: string }>): string {
  return languages.find((l) => l.language === PREFERRED_NEW_ROOM_LANGUAGE)?.language ?? languages[0]?.language ?? "";
}

/** The body of POST /api/v1/rooms/:id/runs for a configuration (input given before the run is typed ahead, as whole lines). */
export function runRequestBody(config: RunConfig, roomLanguage: string): { entry?: string; language: string; args: string[]; stdin: string } {
  const stdin = config.stdin && !config.stdin.endsWith("\n") ? `${config.stdin}\n` : config.stdin;
  return { ...(config.entry ? { entry: config.entry } : {}), language: config.language ?? roomLanguage, args: config.args, stdin };
}

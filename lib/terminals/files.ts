import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";
import { ApiError } from "../http/errors";
import { newPathProblem, pathProblem } from "../rooms/tree";
import type { RoomFile } from "../rooms/document";
import { askForFiles } from "./input";

/**
 * "Keep these files": what the terminal's project folder (/work) holds now,
 * compared with the room's files. The runner asks the pseudo-terminal wrapper
 * in the sandbox for the folder (text files only, bounded: see
 * runner/terminal/pty-wrapper.py) and leaves its answer in Redis for a minute;
 * the page of whoever asked applies the files they choose to the room's
 * document as a normal edit. Nothing goes into the room otherwise.
 */
export const FILES_ANSWER_TTL_SECONDS = 60;
export const filesAnswerKey = (executionId: string, requestId: string) => `sam:term:${executionId}:files:${requestId}`;
/** How long the route waits for the sandbox's answer. */
const ANSWER_WAIT_MS = 20_000;

export interface FolderFile {
  path: string;
  content: string;
}
export interface FolderAnswer {
  files: FolderFile[];
  skipped: Array<{ path: string; reason: string }>;
}

export interface FolderChanges {
  /** New or changed text files the room could take, with their content. */
  files: Array<FolderFile & { change: "new" | "changed" }>;
  /** Files left out, and why (binary, too large, a name the room does not take, ...). */
  skipped: Array<{ path: string; reason: string }>;
  unchanged: number;
}

/** The answer comes from inside the sandbox, where the shell's programs could forge it: checked like any input. */
const answerSchema = z.object({
  files: z.array(z.object({ path: z.string().max(1024), content: z.string() })).max(1000),
  skipped: z.array(z.object({ path: z.string().max(1024), reason: z.string().max(200) })).max(1000),
});

/** Asks the terminal's sandbox for its project folder; 409 terminal_ended when no answer comes (the terminal ended). */
export async function folderOfTerminal(redis: Redis, executionId: string, signal?: AbortSignal): Promise<FolderAnswer> {
  // One look at a time per terminal: each copies the whole folder through the sandbox's output.
  const busy = `sam:term:${executionId}:files-busy`;
  if ((await redis.set(busy, "1", "EX", Math.ceil(ANSWER_WAIT_MS / 1000) + 5, "NX")) !== "OK") {
    throw new ApiError(429, "rate_limited", "Someone is already reading this terminal's files; try again in a few seconds.", { "retry-after": "2" });
  }
  try {
    return await waitForAnswer(redis, executionId, signal);
  } finally {
    await redis.del(busy);
  }
}

async function waitForAnswer(redis: Redis, executionId: string, signal?: AbortSignal): Promise<FolderAnswer> {
  const requestId = randomBytes(8).toString("hex");
  await askForFiles(redis, executionId, requestId);
  const deadline = Date.now() + ANSWER_WAIT_MS;
  while (Date.now() < deadline && !signal?.aborted) {
    const answer = await redis.getdel(filesAnswerKey(executionId, requestId));
    if (answer) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(answer);
      } catch {
        parsed = undefined;
      }
      const checked = answerSchema.safeParse(parsed);
      if (checked.success) return checked.data;
      return { files: [], skipped: [{ path: ".", reason: "the terminal's answer was not readable" }] };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new ApiError(409, "terminal_ended", "The terminal did not answer with its files (it may have ended); start it again.");
}

/** What differs from the room: new and changed files whose names the room takes. */
export function changesAgainstRoom(answer: FolderAnswer, room: RoomFile[]): FolderChanges {
  const current = new Map(room.map((f) => [f.path, f.content]));
  const out: FolderChanges = { files: [], skipped: [...answer.skipped], unchanged: 0 };
  for (const f of answer.files) {
    // A new file is a name given now: no control or bidirectional characters (a name that shows as another), as
    // the room server refuses them; a changed one keeps the room's existing name, which may predate that rule.
    const problem = current.has(f.path) ? pathProblem(f.path) : newPathProblem(f.path);
    if (problem) out.skipped.push({ path: f.path, reason: problem });
    else if (current.get(f.path) === f.content) out.unchanged++;
    else out.files.push({ ...f, change: current.has(f.path) ? "changed" : "new" });
  }
  return out;
}

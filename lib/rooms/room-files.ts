import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type * as Y from "yjs";
import type { Database } from "../db/client";
import { sharedStreamReader } from "../redis/stream-reader";
import { decodeDocument, listFiles, type RoomFile } from "./document";
import { signServiceToken } from "./room-token";

/**
 * A room's files as everyone in it sees them now. Any collab process with
 * the room open holds its live document (processes sharing a room keep each
 * other in step through Redis), so the question goes to all of them on one
 * Redis channel and the first that has the room answers. When none has it
 * open, or none answers in time, the stored document is the latest there is
 * (the last process to close a room stores it first).
 */
export const LIVE_FILES_CHANNEL = "sam:rooms:live-files";
const ANSWER_WAIT_MS = 3000;

export interface LiveFilesRequest {
  roomId: string;
  /** The Redis stream the answers go to. */
  replyTo: string;
  /** A service token: collab answers only callers that show one, as for anything else. */
  token: string;
}

export type LiveFilesAnswer = { open: true; files: RoomFile[] } | { open: false };

export async function currentRoomFiles(opts: { db: Database; redis: Redis; secret: string; log: Logger }, roomId: string): Promise<RoomFile[]> {
  const live = await askCollab(opts, roomId).catch((err: Error) => {
    opts.log.warn({ roomId, err: err.message }, "could not ask collab for the room's live files; using the stored document");
    return null;
  });
  if (live) return live;
  const stored = await opts.db.roomDocument.findUnique({ where: { roomId } });
  if (!stored) return [];
  const doc = decodeDocument(stored.state);
  const files = listFiles(doc);
  doc.destroy();
  return files;
}

/** The live files from the first collab process that has the room open; null when none has. */
async function askCollab(opts: { redis: Redis; secret: string; log: Logger }, roomId: string): Promise<RoomFile[] | null> {
  const replyTo = `sam:rooms:live-files:reply:${randomUUID()}`;
  const request: LiveFilesRequest = { roomId, replyTo, token: await signServiceToken(opts.secret, "web") };
  // PUBLISH says how many collab processes heard the question: that many answers to wait for at most.
  const listeners = await opts.redis.publish(LIVE_FILES_CHANNEL, JSON.stringify(request));
  if (listeners === 0) return null;
  // The answers arrive on a stream, waited for through the process's one blocking connection (see stream-reader.ts).
  const reader = sharedStreamReader(opts.redis);
  try {
    const deadline = Date.now() + ANSWER_WAIT_MS;
    let last = "0";
    for (let answers = 0; answers < listeners; ) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const entries = await reader.read(replyTo, last, listeners - answers, left);
      if (!entries.length) break;
      for (const entry of entries) {
        answers++;
        last = entry.id;
        const answer = JSON.parse(entry.fields.answer?.toString() ?? "{}") as LiveFilesAnswer;
        if (answer.open) return answer.files;
      }
    }
    if (Date.now() >= deadline) opts.log.warn({ roomId, listeners }, "not every collab process answered; using the stored document");
    return null;
  } finally {
    void opts.redis.del(replyTo).catch(() => undefined);
  }
}

/** Collab's side: the answer to one request, for the room as this process holds it (documents: its open rooms). */
export async function answerLiveFiles(
  opts: { redis: Redis; verify: (token: string) => Promise<unknown>; documents: Map<string, Y.Doc> },
  raw: string,
): Promise<void> {
  const request = JSON.parse(raw) as Partial<LiveFilesRequest>;
  if (typeof request.roomId !== "string" || typeof request.replyTo !== "string" || !request.replyTo.startsWith("sam:rooms:live-files:reply:")) return;
  await opts.verify(String(request.token ?? ""));
  const doc = opts.documents.get(request.roomId);
  const answer: LiveFilesAnswer = doc ? { open: true, files: listFiles(doc) } : { open: false };
  await opts.redis.multi().xadd(request.replyTo, "*", "answer", JSON.stringify(answer)).expire(request.replyTo, 10).exec();
}

import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Database } from "../../lib/db/client";
import { roomRole } from "../../lib/rooms/access";
import { can } from "../../lib/rooms/roles";
import { encodeFrame } from "../../lib/terminals/frames";
import { readTerminalInput } from "../../lib/terminals/input";
import { sharedStreamReader } from "../../lib/redis/stream-reader";
import type { SandboxHandle } from "../sandbox/driver";
import type { EventBatcher } from "../queue/event-batcher";

/** How often a terminal checks that it may go on (idle time, its room, its starter's role). */
const CHECK_EVERY_MS = 1_000;
/** A check of the room and role that takes longer is given up (and tried again): one stuck query must not end the checks. */
const CHECK_TIMEOUT_MS = 10_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export interface TerminalSession {
  db: Database;
  redis: Redis;
  log: Logger;
  executionId: string;
  roomId: string;
  /** Who started it: the terminal lives only while they may still run things in the room. */
  userId: string;
  idleMs: number;
  stdin: NonNullable<SandboxHandle["stdin"]>;
  kill: SandboxHandle["kill"];
  events: EventBatcher;
  /** Aborted when the run has ended. */
  signal: AbortSignal;
}

/**
 * Runs beside a terminal's sandbox for its whole life: passes the keys typed
 * and window sizes in (framed, lib/terminals/frames.ts), and ends it when
 * nobody typed for idleMs, when its row is gone or no longer running (the
 * room was deleted, someone stopped it), or when the person who started it
 * may no longer run things in the room (removed, made a viewer). The wall
 * time (its maximum length), CPU, memory, processes, output and disk are the
 * sandbox's own limits, as for any run.
 */
export function superviseTerminal(s: TerminalSession): void {
  let lastInput = Date.now();
  let ending = false;
  const end = (why: string) => {
    if (ending) return;
    ending = true;
    // Everyone watching reads why the terminal closed, in the terminal itself.
    s.events.add("stdout", Buffer.from(`\r\n\x1b[33m[terminal closed: ${why}]\x1b[0m\r\n`));
    void s.kill("requested").catch(() => undefined);
  };

  void (async () => {
    const reader = sharedStreamReader(s.redis);
    let last = "0";
    try {
      while (!s.signal.aborted) {
        for (const piece of await readTerminalInput(reader, s.executionId, last, 1000, s.signal)) {
          last = piece.id;
          if (piece.size) s.stdin.write(encodeFrame({ kind: "resize", ...piece.size }));
          if (piece.filesRequest) s.stdin.write(encodeFrame({ kind: "files", requestId: piece.filesRequest }));
          if (piece.data.length) {
            lastInput = Date.now();
            s.stdin.write(encodeFrame({ kind: "data", data: piece.data }));
          }
        }
      }
    } catch (err) {
      if (!s.signal.aborted) {
        s.log.warn({ executionId: s.executionId, err: (err as Error).message }, "terminal input stopped");
        end("its input could not be read");
      }
    }
  })();

  let checking = false;
  const timer = setInterval(() => {
    if (ending) return;
    // The idle timeout needs nothing but the clock: a database that does not answer cannot keep a terminal alive.
    if (Date.now() - lastInput >= s.idleMs) return end(`no input for ${Math.round(s.idleMs / 1000)} seconds`);
    if (checking) return;
    checking = true;
    void withTimeout(check(), CHECK_TIMEOUT_MS)
      .catch((err: Error) => s.log.warn({ executionId: s.executionId, err: err.message }, "could not check a terminal; trying again"))
      .finally(() => {
        checking = false;
      });
  }, CHECK_EVERY_MS);
  s.signal.addEventListener("abort", () => clearInterval(timer), { once: true });

  async function check(): Promise<void> {
    const row = await s.db.execution.findUnique({ where: { id: s.executionId }, select: { status: true } });
    if (!row) return end("its room is gone");
    if (row.status !== "running") return end("stopped");
    const access = await roomRole(s.db, s.roomId, s.userId);
    if (!access || !can(access.role, "run")) return end("the person who started it can no longer use this room's terminal");
  }
}

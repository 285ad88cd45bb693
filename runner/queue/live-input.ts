import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { appendEvent } from "../../lib/executions/events";
import { readStdin } from "../../lib/executions/stdin";
import { sharedStreamReader } from "../../lib/redis/stream-reader";
import type { SandboxHandle } from "../sandbox/driver";
import type { EventBatcher } from "./event-batcher";

/**
 * Feeds an interactive run (the driver has already given it the run's own
 * stdin): each piece typed into it (POST /api/v1/executions/:id/stdin) as it arrives, until someone
 * sends end-of-file or the run ends. Each piece typed is also added to the
 * run's event stream, so everyone watching sees the input beside the output.
 */
export async function forwardLiveInput(opts: {
  redis: Redis;
  log: Logger;
  executionId: string;
  stdin: NonNullable<SandboxHandle["stdin"]>;
  events: EventBatcher;
  signal: AbortSignal;
}): Promise<void> {
  const { executionId, stdin, events, signal } = opts;
  // Waits through the process's one blocking connection (see stream-reader.ts).
  const reader = sharedStreamReader(opts.redis);
  let last = "0";
  try {
    while (!signal.aborted) {
      for (const piece of await readStdin(reader, executionId, last, 1000, signal)) {
        last = piece.id;
        if (piece.data.length) {
          stdin.write(piece.data);
          void events.event(() => appendEvent(opts.redis, executionId, "stdin", piece.data));
        }
        if (piece.eof) {
          stdin.end();
          return;
        }
      }
    }
  } catch (err) {
    if (!signal.aborted) opts.log.warn({ executionId, err: (err as Error).message }, "live input stopped");
  }
}

import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import { appendEvent, readEventsNow, type ExecutionEvent } from "../../lib/executions/events";
import { readFrames } from "../../lib/executions/output-frames";
import { createRedis } from "../../lib/redis/connection";
import { EventBatcher, LIVE_BACKLOG_MAX_BYTES } from "../../runner/queue/event-batcher";

/**
 * The live stream from the runner to Redis, with real Redis, fed as a
 * program writing single bytes alternating stdout and stderr would feed it
 * (attack F1): the writes to Redis do not follow the number of pieces, what
 * waits for Redis is bounded, and the end of a run never waits on a backlog.
 */
const redis = createRedis(inject("redisUrl"));
afterAll(() => redis.disconnect());

async function allEvents(id: string): Promise<ExecutionEvent[]> {
  const events: ExecutionEvent[] = [];
  for (let last = "0"; ; ) {
    const batch = await readEventsNow(redis, id, last, 500);
    if (!batch.length) return events;
    events.push(...batch);
    last = batch.at(-1)!.id;
  }
}

function streamed(events: ExecutionEvent[]) {
  const out = { stdout: [] as Buffer[], stderr: [] as Buffer[], order: [] as string[] };
  for (const e of events.filter((e) => e.type === "output")) {
    for (const f of readFrames(e.data)) {
      out[f.channel].push(Buffer.from(f.bytes));
      if (out.order.length < 8) out.order.push(`${f.channel}:${f.bytes.toString()}`);
    }
  }
  return { stdout: Buffer.concat(out.stdout), stderr: Buffer.concat(out.stderr), order: out.order };
}

const result = (id: string) => () => appendEvent(redis, id, "result", { status: "succeeded" });

describe("the live stream of many tiny writes", () => {
  it("200,000 single bytes alternating stdout and stderr: a few dozen writes to Redis, all of it, in order", async () => {
    const id = randomUUID();
    let writes = 0;
    const batcher = new EventBatcher(redis, id, async () => {
      writes++;
      return true;
    });
    const pieces = 200_000;
    for (let i = 0; i < pieces; i++) batcher.add(i & 1 ? "stderr" : "stdout", Buffer.from([i & 1 ? 0x65 : 0x6f]));
    await batcher.finish(result(id));
    const events = await allEvents(id);
    const out = streamed(events);
    expect(out.stdout.equals(Buffer.alloc(pieces / 2, "o"))).toBe(true);
    expect(out.stderr.equals(Buffer.alloc(pieces / 2, "e"))).toBe(true);
    expect(out.order).toEqual(["stdout:o", "stderr:e", "stdout:o", "stderr:e", "stdout:o", "stderr:e", "stdout:o", "stderr:e"]);
    expect(events.at(-1)!.type).toBe("result");
    // Before: one write (and one budget call) per change of channel, 200,000 of them.
    expect(writes).toBeLessThan(100);
    expect(batcher.counted).toBe(pieces);
  });

  it("while Redis does not keep up, at most LIVE_BACKLOG_MAX_BYTES wait; the rest is dropped with one notice, before the result", async () => {
    const id = randomUUID();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const batcher = new EventBatcher(redis, id, async () => {
      await held;
      return true;
    });
    const total = 4 * 1024 * 1024;
    const piece = Buffer.alloc(1024, "x");
    for (let i = 0; i < total / piece.length; i++) batcher.add(i & 1 ? "stderr" : "stdout", piece);
    const finished = batcher.finish(result(id));
    release();
    await finished;
    const events = await allEvents(id);
    const out = streamed(events);
    expect(out.stdout.length + out.stderr.length).toBeLessThanOrEqual(LIVE_BACKLOG_MAX_BYTES + 64 * 1024);
    expect(out.stdout.length + out.stderr.length).toBeGreaterThan(0);
    const notices = events.filter((e) => e.type === "notice").map((e) => JSON.parse(e.data.toString()).code);
    expect(notices).toEqual(["live_output_skipped"]);
    expect(events.at(-1)!.type).toBe("result");
  });

  it("the end of a run does not wait for a Redis that never answers", async () => {
    const id = randomUUID();
    const batcher = new EventBatcher(redis, id, () => new Promise<boolean>(() => undefined));
    for (let i = 0; i < 10_000; i++) batcher.add(i & 1 ? "stderr" : "stdout", Buffer.from("y"));
    // Resolves (the drain and result waits are a few seconds); before, it waited for ever.
    await expect(batcher.finish(result(id), 200)).resolves.toBeUndefined();
  }, 30_000);
});

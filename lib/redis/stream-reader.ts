import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

export interface StreamEntry {
  id: string;
  /** Field values as the exact bytes stored. */
  fields: Record<string, Buffer>;
}

/** How long one blocking read of the shared connection lasts at most: keys nobody waits on any more drop out of it by then. */
const MAX_BLOCK_MS = 5_000;
/** After a failed blocking read (Redis down, reconnecting), the pause before the next one. */
const RETRY_MS = 250;
/** The wake-up stream holds one entry: only its id matters. */
const WAKE_TTL_SECONDS = 3600;

interface Waiter {
  key: string;
  afterId: string;
  wake: () => void;
}

/**
 * Every stream follower of one process (event streams, `?wait=true`,
 * live-file answers) waits through this reader, on ONE blocking Redis
 * connection. Before it, each follower held a connection of its own for its
 * XREAD BLOCK: a room watched by 50 people cost 100 connections.
 *
 * How it works: a follower first reads what is already there with a
 * non-blocking XREAD on the shared command connection. Only when there is
 * nothing new does it wait: it is added to the waiters, and the reader's one
 * XREAD BLOCK covers every awaited key (from the oldest id awaited on each,
 * COUNT 1: the reply only says "something came"). When a key gets an entry,
 * its waiters wake and read for themselves, again without blocking. So data
 * moves only when its follower asks for it: a slow client holds at most its
 * own `count` entries, never a queue the reader fills (the pull-based
 * slow-reader protections of pull-stream.ts stay true), and the reader
 * itself holds at most one entry per key.
 *
 * A new key must join the blocked XREAD at once. The reader's XREAD always
 * includes a private wake-up stream of its own; adding a waiter XADDs to it,
 * which ends the blocked read (Redis serves it from the id last seen, so a
 * wake-up sent before the XREAD reaches Redis is not lost, which CLIENT
 * UNBLOCK's would be), and the next read includes the new key.
 */
export class StreamReader {
  /** Waiting followers by key: an entry on a key wakes only that key's followers, whatever else waits. */
  private readonly waiters = new Map<string, Set<Waiter>>();
  private count = 0;
  private readonly wakeKey = `sam:stream-reader:wake:${randomUUID()}`;
  private wakeId = "0";
  private blocking: Redis | undefined;
  private running = false;
  /** A wake-up was sent and the read it ends has not returned yet: one is enough. */
  private wakePending = false;
  private closed = false;

  private readonly maxBlockMs: number;

  constructor(
    /** The process's shared connection for ordinary (non-blocking) commands; the blocking one is its duplicate, made when first needed. */
    private readonly redis: Redis,
    opts: { maxBlockMs?: number } = {},
  ) {
    this.maxBlockMs = opts.maxBlockMs ?? MAX_BLOCK_MS;
  }

  /**
   * Entries of `key` after `afterId` ("0" for all), at most `count`, waiting
   * up to `blockMs` for some when there are none yet (empty when none came).
   * `signal` ends the wait early (a client that went away).
   */
  async read(key: string, afterId: string, count: number, blockMs: number, signal?: AbortSignal): Promise<StreamEntry[]> {
    // Redis reads more than this ("$", "+5", " 5", 30 digits with leading zeros), but the shared read
    // orders the waiters' ids itself: an id it misreads could hold back every other follower of the key.
    if (!isStreamId(afterId)) throw new RangeError(`not a stream id: ${JSON.stringify(afterId.slice(0, 64))}`);
    const deadline = Date.now() + blockMs;
    for (;;) {
      const entries = await readNow(this.redis, key, afterId, count);
      const left = deadline - Date.now();
      if (entries.length || left <= 0 || signal?.aborted || this.closed) return entries;
      // Woken when the key gets an entry (possibly one this follower already had: then it reads nothing and waits again).
      await this.waitFor(key, afterId, left, signal);
    }
  }

  /** How many followers wait now (for tests and metrics). */
  get waiting(): number {
    return this.count;
  }

  /** Ends the blocking connection; waiting followers return what they have. */
  close(): void {
    this.closed = true;
    this.wakeAll();
    this.blocking?.disconnect();
  }

  private waitFor(key: string, afterId: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const waiter: Waiter = { key, afterId, wake: () => done() };
      const timer = setTimeout(() => done(), ms);
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        const onKey = this.waiters.get(key);
        if (onKey?.delete(waiter)) {
          this.count--;
          if (onKey.size === 0) this.waiters.delete(key);
        }
        resolve();
      };
      signal?.addEventListener("abort", done, { once: true });
      const onKey = this.waiters.get(key) ?? new Set<Waiter>();
      this.waiters.set(key, onKey.add(waiter));
      this.count++;
      this.kick();
    });
  }

  /** Makes the blocking read include the waiters' keys now: starts the loop, or wakes the read in progress. */
  private kick(): void {
    if (!this.running) {
      this.running = true;
      void this.loop();
      return;
    }
    if (this.wakePending) return;
    this.wakePending = true;
    void this.redis
      .multi()
      .xadd(this.wakeKey, "MAXLEN", "1", "*", "w", "1")
      .expire(this.wakeKey, WAKE_TTL_SECONDS)
      .exec()
      .catch(() => {
        // The read ends by itself within MAX_BLOCK_MS; the key joins then.
      });
  }

  private async loop(): Promise<void> {
    if (!this.blocking) {
      this.blocking = this.redis.duplicate();
      this.blocking.on("error", () => {
        /* ioredis reconnects; the failed read is retried below */
      });
    }
    try {
      while (this.count && !this.closed) {
        // The oldest id awaited on each key: whoever waits from there is woken by anything newer.
        const from = new Map<string, string>();
        for (const [key, onKey] of this.waiters) {
          for (const w of onKey) {
            const known = from.get(key);
            if (known === undefined || compareIds(w.afterId, known) < 0) from.set(key, w.afterId);
          }
        }
        this.wakePending = false;
        const keys = [...from.keys(), this.wakeKey];
        const ids = [...from.values(), this.wakeId];
        let reply: Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null;
        try {
          reply = (await this.blocking.xreadBuffer("COUNT", 1, "BLOCK", this.maxBlockMs, "STREAMS", ...keys, ...ids)) as typeof reply;
        } catch {
          if (this.closed) return;
          // Redis down, or one key that is not a stream: every follower reads for itself (the one whose key is
          // wrong gets the error), so one bad key cannot stall the others.
          this.wakeAll();
          await new Promise((r) => setTimeout(r, RETRY_MS));
          continue;
        }
        for (const [rawKey, entries] of reply ?? []) {
          const key = rawKey.toString();
          if (key === this.wakeKey) {
            const last = entries.at(-1);
            if (last) this.wakeId = last[0].toString();
            continue;
          }
          for (const w of [...(this.waiters.get(key) ?? [])]) w.wake();
        }
      }
    } finally {
      this.running = false;
      // A waiter added as the loop ended (closed aside) starts it again.
      if (this.count && !this.closed) this.kick();
    }
  }

  private wakeAll(): void {
    for (const onKey of [...this.waiters.values()]) for (const w of [...onKey]) w.wake();
  }
}

/** Entries after `afterId` without waiting. */
export async function readNow(redis: Redis, key: string, afterId: string, count: number): Promise<StreamEntry[]> {
  const reply = (await redis.xreadBuffer("COUNT", count, "STREAMS", key, afterId)) as Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null;
  return (reply?.[0]?.[1] ?? []).map(([id, flat]) => {
    const fields: Record<string, Buffer> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!.toString()] = flat[i + 1]!;
    return { id: id.toString(), fields };
  });
}

/** A stream id as Redis gives them out: "ms-seq" or "ms" (at most 20 digits each; Redis refuses one above 2^64-1). */
const STREAM_ID = /^(\d{1,20})(?:-(\d{1,20}))?$/;
const MAX_PART = 2n ** 64n - 1n;

/**
 * True for an id the reader may wait from: the plain form only. Redis also
 * takes "$" (what comes after this very read: a shared read from there
 * misses what arrives between two reads) and numbers with a sign, spaces or
 * more digits ("+99999999999999" is a far-future id to Redis); compareIds
 * cannot order those, and a client may send any of them as Last-Event-ID.
 */
export function isStreamId(id: string): boolean {
  const match = STREAM_ID.exec(id);
  // Each part fits 64 bits, as Redis wants (it refuses a larger one with an error, not an empty read).
  return match !== null && BigInt(match[1]!) <= MAX_PART && BigInt(match[2] ?? "0") <= MAX_PART;
}

/** Orders stream ids ("ms-seq", or "ms", or "0"); read() refuses any other form before it gets here (it counts as 0). */
export function compareIds(a: string, b: string): number {
  const [am, as] = parseId(a);
  const [bm, bs] = parseId(b);
  if (am !== bm) return am < bm ? -1 : 1;
  return as === bs ? 0 : as < bs ? -1 : 1;
}

function parseId(id: string): [bigint, bigint] {
  const match = STREAM_ID.exec(id);
  return match ? [BigInt(match[1]!), BigInt(match[2] ?? "0")] : [0n, 0n];
}

const holder = globalThis as typeof globalThis & { __samStreamReader?: StreamReader };

/** The process's one stream reader, over the process's shared connection (see connection.ts). */
export function sharedStreamReader(redis: Redis): StreamReader {
  holder.__samStreamReader ??= new StreamReader(redis);
  return holder.__samStreamReader;
}

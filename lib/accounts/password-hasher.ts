import argon2 from "argon2";
import { ApiError } from "../http/errors";

// argon2id with the library's defaults (64 MiB, 3 passes, 4 lanes): OWASP's recommended family.
const HASH_OPTIONS = { type: argon2.argon2id } as const;

/** Who asked for a hash: the per-address key of the client (lib/http/client-ip.ts addressKey). */
export type HashRequester = string;

interface Waiter {
  key: HashRequester;
  start(): void;
}

/**
 * Every argon2 hash and verification of a web process goes through one of
 * these. Each costs 64 MiB and a libuv thread (shared with file and DNS work),
 * so a burst of sign-ups or sign-ins could otherwise exhaust memory and stall
 * the process: at most `concurrency` run at once, a few more wait briefly, and
 * the rest are refused at once with 503 `busy` and Retry-After.
 *
 * The slots are shared between clients, so one client address may hold only
 * a share of them: at most half the slots running (at least one) and a
 * quarter of the queue waiting; beyond that its requests are refused at once
 * while other addresses still get a slot. A freed slot goes to the first
 * waiter whose address is under its share, so one address's burst cannot make
 * everyone else wait behind it.
 */
export class PasswordHasher {
  private active = 0;
  private readonly waiting: Waiter[] = [];
  private readonly activeBy = new Map<HashRequester, number>();
  private readonly waitingBy = new Map<HashRequester, number>();
  readonly maxActivePerKey: number;
  readonly maxWaitingPerKey: number;
  // Verifying against this when the user does not exist keeps "no such user" and
  // "wrong password" equally slow, so timing does not reveal which names exist.
  private dummyHash: Promise<string> | undefined;

  constructor(
    readonly concurrency: number,
    readonly maxWaiting = concurrency * 8,
    readonly maxWaitMs = 10_000,
  ) {
    this.maxActivePerKey = Math.max(1, Math.floor(concurrency / 2));
    this.maxWaitingPerKey = Math.max(1, Math.floor(maxWaiting / 4));
  }

  hash(password: string, key: HashRequester = "unknown"): Promise<string> {
    return this.limit(() => argon2.hash(password, HASH_OPTIONS), key);
  }

  /** True when `password` matches `hash`; a malformed hash is a mismatch. */
  verify(hash: string, password: string, key: HashRequester = "unknown"): Promise<boolean> {
    return this.limit(() => argon2.verify(hash, password).catch(() => false), key);
  }

  /** Spends the same work as verify() against a real hash, for a name that has none. */
  async verifyNothing(password: string, key: HashRequester = "unknown"): Promise<false> {
    this.dummyHash ??= argon2.hash("not-a-real-password", HASH_OPTIONS);
    const dummy = await this.dummyHash;
    await this.verify(dummy, password, key);
    return false;
  }

  /** Runs `work` when a slot is free for `key`: waits in a short queue, or is refused when that (or the key's share of it) is full. */
  async limit<T>(work: () => Promise<T>, key: HashRequester = "unknown"): Promise<T> {
    await this.acquire(key);
    try {
      return await work();
    } finally {
      this.release(key);
    }
  }

  private acquire(key: HashRequester): Promise<void> {
    if (this.active < this.concurrency && this.mayRun(key)) {
      this.take(key);
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxWaiting || (this.waitingBy.get(key) ?? 0) >= this.maxWaitingPerKey) return Promise.reject(busy());
    return new Promise<void>((resolve, reject) => {
      const entry: Waiter = {
        key,
        start: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.unqueue(entry);
        reject(busy());
      }, this.maxWaitMs);
      this.waiting.push(entry);
      bump(this.waitingBy, key, 1);
    });
  }

  private release(key: HashRequester): void {
    this.active--;
    bump(this.activeBy, key, -1);
    // The first waiter whose address is under its share gets the slot.
    const next = this.waiting.find((w) => this.mayRun(w.key));
    if (!next) return;
    this.unqueue(next);
    this.take(next.key);
    next.start();
  }

  private mayRun(key: HashRequester): boolean {
    return (this.activeBy.get(key) ?? 0) < this.maxActivePerKey;
  }

  private take(key: HashRequester): void {
    this.active++;
    bump(this.activeBy, key, 1);
  }

  private unqueue(entry: Waiter): void {
    const at = this.waiting.indexOf(entry);
    if (at < 0) return;
    this.waiting.splice(at, 1);
    bump(this.waitingBy, entry.key, -1);
  }
}

function bump(counts: Map<HashRequester, number>, key: HashRequester, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}

function busy(): ApiError {
  return new ApiError(503, "busy", "The server is busy checking other passwords right now; try again in a few seconds.", {
    "retry-after": "2",
  });
}

import argon2 from "argon2";
import { ApiError } from "../http/errors";

// argon2id with the library's defaults (64 MiB, 3 passes, 4 lanes): OWASP's recommended family.
const HASH_OPTIONS = { type: argon2.argon2id } as const;

/**
 * Every argon2 hash and verification of a web process goes through one of
 * these. Each costs 64 MiB and a libuv thread (shared with file and DNS work),
 * so a burst of sign-ups or sign-ins could otherwise exhaust memory and stall
 * the process: at most `concurrency` run at once, a few more wait briefly, and
 * the rest are refused at once with 503 `busy` and Retry-After.
 */
export class PasswordHasher {
  private active = 0;
  private readonly waiting: Array<{ start: () => void }> = [];
  // Verifying against this when the user does not exist keeps "no such user" and
  // "wrong password" equally slow, so timing does not reveal which names exist.
  private dummyHash: Promise<string> | undefined;

  constructor(
    readonly concurrency: number,
    readonly maxWaiting = concurrency * 8,
    readonly maxWaitMs = 10_000,
  ) {}

  hash(password: string): Promise<string> {
    return this.limit(() => argon2.hash(password, HASH_OPTIONS));
  }

  /** True when `password` matches `hash`; a malformed hash is a mismatch. */
  verify(hash: string, password: string): Promise<boolean> {
    return this.limit(() => argon2.verify(hash, password).catch(() => false));
  }

  /** Spends the same work as verify() against a real hash, for a name that has none. */
  async verifyNothing(password: string): Promise<false> {
    this.dummyHash ??= argon2.hash("not-a-real-password", HASH_OPTIONS);
    const dummy = await this.dummyHash;
    await this.verify(dummy, password);
    return false;
  }

  /** Runs `work` when a slot is free: waits in a short queue, or is refused when that is full too. */
  async limit<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxWaiting) return Promise.reject(busy());
    return new Promise<void>((resolve, reject) => {
      const entry = {
        start: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(entry), 1);
        reject(busy());
      }, this.maxWaitMs);
      this.waiting.push(entry);
    });
  }

  private release(): void {
    // The slot passes straight to the next in line, so `active` stays at the cap while any wait.
    const next = this.waiting.shift();
    if (next) next.start();
    else this.active--;
  }
}

function busy(): ApiError {
  return new ApiError(503, "busy", "The server is busy checking other passwords right now; try again in a few seconds.", {
    "retry-after": "2",
  });
}

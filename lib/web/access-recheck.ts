import { AsyncLocalStorage } from "node:async_hooks";
import { ApiError } from "../http/errors";

/** How often an open stream asks again whether its caller may still watch (and how long one of its reads waits). */
export const RECHECK_MS = 5_000;

/**
 * For a stream that may last as long as a run or a room: `check` is the
 * request's own access check (the caller from its cookie or token, their
 * role), repeated at most every RECHECK_MS. It runs in the request's async
 * context, captured now, since reading the session cookie needs it. The
 * function returned answers false once the check refuses (whoever signed out,
 * had their token revoked or left the room stops receiving); other errors
 * are thrown.
 */
export function accessRecheck(check: () => Promise<unknown>): () => Promise<boolean> {
  const inRequest = AsyncLocalStorage.snapshot();
  let checkedAt = Date.now();
  return async () => {
    if (Date.now() - checkedAt < RECHECK_MS) return true;
    checkedAt = Date.now();
    try {
      await inRequest(check);
      return true;
    } catch (err) {
      if (err instanceof ApiError) return false;
      throw err;
    }
  };
}

import { handle } from "../http/errors";
import { web } from "./context";

/** Wraps a route handler so errors become JSON responses (see handle()); the context is made on first request, not at import. */
export function route<A extends unknown[]>(fn: (...args: A) => Promise<Response>) {
  return handle(fn, () => web().log);
}

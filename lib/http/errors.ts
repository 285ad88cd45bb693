import { ZodError, type z } from "zod";
import type { Logger } from "pino";
import type { ErrorCode } from "./error-codes";
import { UNAVAILABLE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "../db/unavailable";
import { isUnstorableValue, UNSTORABLE_MESSAGE } from "../db/unstorable";
import { isRedisUnavailable } from "./redis-unavailable";

/**
 * An error a client caused and can fix. `code` is stable (clients branch on
 * it) and one of the catalogue's (error-codes.ts); `message` says what to change. Route handlers throw these; `handle()`
 * turns them into `{ error: { code, message } }` with the right status.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/**
 * instanceof is not enough: Next.js may bundle this module into more than one
 * chunk, giving two ApiError classes in one process. Match by shape instead.
 */
export function isApiError(err: unknown): err is ApiError {
  return (
    err instanceof ApiError ||
    (err instanceof Error && err.name === "ApiError" && typeof (err as ApiError).status === "number" && typeof (err as ApiError).code === "string")
  );
}

export function errorBody(code: ErrorCode, message: string) {
  return { error: { code, message } };
}

export function jsonError(status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}) {
  return Response.json(errorBody(code, message), { status, headers: { "cache-control": "no-store", ...headers } });
}

/** Describes zod issues as one readable sentence naming each field. */
export function describeIssues(err: ZodError): string {
  return err.issues
    .map((i) => {
      const where = i.path.length ? i.path.join(".") : "body";
      return `${where}: ${i.message}`;
    })
    .join("; ");
}

/** Wraps a route handler: client errors become 4xx JSON; the database or Redis unreachable, 503; anything else is logged and becomes an opaque 500. */
export function handle<A extends unknown[]>(fn: (...args: A) => Promise<Response>, logger: () => Logger): (...args: A) => Promise<Response> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      if (isApiError(err)) return jsonError(err.status, err.code, err.message, err.headers);
      if (err instanceof ZodError) return jsonError(400, "invalid_request", describeIssues(err));
      if (isUnstorableValue(err)) return jsonError(400, "invalid_request", UNSTORABLE_MESSAGE);
      if (isDatabaseUnavailable(err)) {
        logger().warn({ err: (err as Error).message }, "the database is unreachable; answered 503");
        return jsonError(503, "database_unavailable", "The database is unreachable for a moment; try again in a few seconds.", {
          "retry-after": String(UNAVAILABLE_RETRY_AFTER_SECONDS),
        });
      }
      if (isRedisUnavailable(err)) {
        logger().warn({ err: (err as Error).message }, "Redis is unreachable; answered 503");
        return jsonError(503, "queue_unavailable", "The run queue is unreachable for a moment; try again in a few seconds.", {
          "retry-after": String(UNAVAILABLE_RETRY_AFTER_SECONDS),
        });
      }
      logger().error({ err }, "unhandled error in route handler");
      return jsonError(500, "internal_error", "Something went wrong on our side; it has been logged. Try again.");
    }
  };
}

const MAX_JSON_BYTES = 64 * 1024;

/** Reads a JSON body and validates it; every way it can be wrong is a 4xx with a clear message. */
export async function readJson<S extends z.ZodType>(request: Request, schema: S, maxBytes = MAX_JSON_BYTES): Promise<z.infer<S>> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\b/i.test(type)) {
    throw new ApiError(415, "unsupported_media_type", 'Send the body as JSON with "Content-Type: application/json".');
  }
  const tooLarge = () => new ApiError(413, "payload_too_large", `The body must be at most ${maxBytes} bytes.`);
  const text = (await readBodyBytes(request, maxBytes, tooLarge)).toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, "malformed_json", "The body is not valid JSON.");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ApiError(400, "invalid_request", describeIssues(parsed.error));
  return parsed.data;
}

/** Validates a request's query parameters (the first value of each); a bad one is 400 invalid_request naming it. */
export function readQuery<S extends z.ZodType>(request: Request, schema: S): z.infer<S> {
  const params: Record<string, string> = {};
  for (const [key, value] of new URL(request.url).searchParams) params[key] ??= value;
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw new ApiError(400, "invalid_request", describeIssues(parsed.error));
  return parsed.data;
}

/**
 * Reads the body as bytes, refused with `tooLarge` as soon as it passes
 * `maxBytes` (a chunked body has no length to check first; a declared length
 * above it is refused before reading). For uploads (a zip, a CSV) and JSON.
 */
export async function readBodyBytes(request: Request, maxBytes: number, tooLarge: () => ApiError): Promise<Buffer> {
  if (Number(request.headers.get("content-length") ?? "0") > maxBytes) throw tooLarge();
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let read: ReadableStreamReadResult<Uint8Array>;
    try {
      read = await reader.read();
    } catch {
      // The client cut the connection mid-body ("aborted", ECONNRESET): its error must not pass for the database's
      // (isDatabaseUnavailable knows ECONNRESET), which would log a database outage that any stranger could fake.
      throw new ApiError(400, "invalid_request", "The request body ended before it was complete (the connection was cut); send it again.");
    }
    const { done, value } = read;
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

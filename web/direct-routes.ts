import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { POST as postExecution } from "../app/api/v1/executions/route";
import { securityHeaders } from "../next.config.mjs";

/**
 * The run API's hot path, served by this server without Next.js: Next's
 * request handling costs about 5 ms and several ms of CPU per request here
 * (measured: a route that does nothing takes 6 ms through it, 0.5 ms from
 * plain Node), more than the rest of the request, and a small program's run
 * is mostly fixed costs like it (issue 13). The handler is the very same
 * route handler Next serves (app/api/v1/executions/route.ts), with every
 * check it makes; only the calls made with an API token take this path
 * (they never read a session cookie, which needs Next's request context).
 * Everything else, and any request this table does not name, goes to Next.
 */
type Handler = (request: Request) => Promise<Response>;

const DIRECT: Record<string, Handler> = {
  "POST /api/v1/executions": postExecution,
};

/** The handler for this request, when it takes the direct path. */
export function directRoute(req: IncomingMessage): Handler | undefined {
  if (!req.headers.authorization || !req.url) return undefined;
  const path = req.url.split("?")[0];
  return DIRECT[`${req.method} ${path}`];
}

/** Runs a route handler on a Node request: the Fetch Request it expects, its Response written back as it is read. */
export async function serveDirect(handler: Handler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // A client gone before its answer ends the wait (the handlers watch request.signal, as under Next).
  const gone = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) gone.abort();
  });
  const headers = new Headers();
  // req.headers, not rawHeaders: the server has overwritten the client-address header the handlers trust.
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const request = new Request(requestUrl(req), {
    method: req.method,
    headers,
    body: req.method === "GET" || req.method === "HEAD" ? undefined : (Readable.toWeb(req) as ReadableStream<Uint8Array>),
    duplex: "half",
    signal: gone.signal,
  } as RequestInit);
  const response = await handler(request);
  // The headers Next.js adds to every answer (next.config.mjs), then the route's own.
  const out: Record<string, string> = Object.fromEntries(securityHeaders.map((h) => [h.key.toLowerCase(), h.value]));
  response.headers.forEach((value, name) => (out[name] = value));
  // Answered before the body was all received (a 401, 413 or 415 reads none of it): Next.js never touches such a
  // body, so Node drains it and the connection serves the next request. Here the body's stream has taken part of
  // it and stopped, and the connection would hang with the rest unread, its next request never answered. It closes instead.
  if (!req.complete) res.shouldKeepAlive = false;
  res.writeHead(response.status, out);
  if (!response.body) {
    res.end();
    return;
  }
  // pipeline cancels the body when the client goes away, so its release hooks run (view-stream.ts).
  await pipeline(Readable.fromWeb(response.body as import("node:stream/web").ReadableStream<Uint8Array>), res).catch(() => undefined);
}

/**
 * The request's URL as Next.js gives it to a handler: on the Host the client named. A Host that makes no
 * URL ("[", "a b", "x:99999": Node's parser lets any header value through) is served as under Next, on
 * localhost, not answered 500 with an error logged: anyone could make those at will. The handlers read only
 * the path and query of it.
 */
function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url!, `http://${req.headers.host ?? "localhost"}`);
  } catch {
    return new URL(req.url!, "http://localhost");
  }
}

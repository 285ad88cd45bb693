import type http from "node:http";
import type { Hocuspocus } from "@hocuspocus/server";
import type { Logger } from "pino";
import { listFiles } from "../lib/rooms/document";
import { verifyServiceToken } from "../lib/rooms/room-token";

const FILES_PATH = /^\/internal\/rooms\/([0-9a-f-]{36})\/files$/i;

function json(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

/**
 * GET /internal/rooms/:id/files -> {files: [{id, path, content}]}: the live
 * document of a room open on this process (404 when it is not open here; the
 * caller then reads the stored one). Callers are other services and must
 * show a service token like anyone else.
 */
export function serveInternal(req: http.IncomingMessage, res: http.ServerResponse, deps: { hocuspocus: Hocuspocus; secret: string; log: Logger }): boolean {
  const match = req.method === "GET" ? FILES_PATH.exec(new URL(req.url ?? "/", "http://collab").pathname) : null;
  if (!match) return false;
  void (async () => {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
    try {
      if (!token) throw new Error("no token");
      await verifyServiceToken(deps.secret, token);
    } catch {
      return json(res, 401, { error: { code: "unauthorized", message: "A valid service token is required." } });
    }
    const document = deps.hocuspocus.documents.get(match[1]!);
    if (!document) return json(res, 404, { error: { code: "not_open", message: "The room is not open on this collab process." } });
    json(res, 200, { files: listFiles(document) });
  })().catch((err) => {
    deps.log.error({ err: (err as Error).message }, "internal request failed");
    if (!res.headersSent) json(res, 500, { error: { code: "internal", message: "internal error" } });
  });
  return true;
}

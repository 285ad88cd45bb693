import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { Duplex } from "node:stream";
import { addressKey, CLIENT_IP_HEADER } from "../http/client-ip";

/**
 * Who may open a room socket before it has authenticated, by client address:
 * the web proxy (web/collab-proxy.ts) and the collab service each admit only
 * a few such sockets per address. The collab service may be reached directly
 * (HOST=0.0.0.0 exposes its port), so it counts too; for sockets the web
 * proxy passes on it counts the address the proxy saw, which the proxy signs
 * (with a key derived from SAM_SECRET): a header anyone could send is not
 * taken for an address.
 */
export const CLIENT_IP_PROOF_HEADER = "x-sam-client-ip-proof";

const proofKey = (secret: string) => createHash("sha256").update(`sam client address\0${secret}`).digest();

export function proveClientIp(secret: string, ip: string): string {
  return createHmac("sha256", proofKey(secret)).update(ip).digest("base64url");
}

/** The client address of an upgrade: the one the web proxy signed, else the socket's peer's. */
export function upgradeClientIp(req: http.IncomingMessage, secret: string): string {
  const ip = req.headers[CLIENT_IP_HEADER];
  const proof = req.headers[CLIENT_IP_PROOF_HEADER];
  if (typeof ip === "string" && typeof proof === "string") {
    const expected = Buffer.from(proveClientIp(secret, ip));
    const given = Buffer.from(proof);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return ip;
  }
  // Counted like every per-address limit: an IPv6 client by its /64.
  return addressKey(req.socket.remoteAddress ?? "unknown");
}

/** Open, not yet authenticated sockets per address. */
export class AddressCounts {
  private readonly counts = new Map<string, number>();

  count(ip: string): number {
    return this.counts.get(ip) ?? 0;
  }

  /** Counts one socket; the function returned uncounts it (once, however often it is called). */
  hold(ip: string): () => void {
    this.counts.set(ip, this.count(ip) + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const left = this.count(ip) - 1;
      if (left > 0) this.counts.set(ip, left);
      else this.counts.delete(ip);
    };
  }
}

/** Answers an upgrade with an HTTP error instead (a JSON body with a stable code), and closes the connection. */
export function refuseUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nretry-after: 5\r\nconnection: close\r\n\r\n${body}`,
  );
}

export const TOO_MANY_SIGNING_IN = "Too many room connections from your address are still signing in; wait a few seconds and try again.";

import { isIP } from "node:net";

/**
 * The web server (web/server.ts) writes the client's address into this header
 * on every request, replacing anything a client sent under the same name, so
 * route handlers can trust it. It is the socket's peer, or, with
 * SAM_TRUST_PROXY=<hops>, the address the outermost trusted proxy saw.
 */
export const CLIENT_IP_HEADER = "x-sam-client-ip";

export function clientIpOf(headers: Headers | Record<string, string | string[] | undefined>): string {
  const value = headers instanceof Headers ? headers.get(CLIENT_IP_HEADER) : headers[CLIENT_IP_HEADER];
  const ip = Array.isArray(value) ? value[0] : value;
  return ip || "unknown";
}

/**
 * `trustedHops` is how many reverse proxies stand in front of the web server
 * (`true` means one). Each proxy appends the address it received the request
 * from to X-Forwarded-For, so the entries are only as trustworthy as the proxy
 * that wrote them: the right-most is written by the nearest proxy, the one
 * `trustedHops` places from the right by the outermost trusted proxy, and
 * everything to its left is whatever the client chose to send. Taking the
 * left-most entry would let any client pick its own address.
 */
export function resolveClientIp(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedHops: boolean | number,
): string {
  const peer = socketAddress?.replace(/^::ffff:/, "") ?? "unknown";
  const hops = trustedHops === true ? 1 : trustedHops === false ? 0 : trustedHops;
  if (hops <= 0 || !forwardedFor) return peer;
  const entries = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) return peer;
  // Fewer entries than trusted hops: the request skipped a proxy; the farthest entry is all there is.
  const entry = entries[Math.max(0, entries.length - hops)]!.replace(/^::ffff:/, "");
  // A trusted proxy writes an address; anything else means it is not the proxy we were told of.
  return isIP(entry) ? entry : peer;
}

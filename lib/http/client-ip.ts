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

/** The key every per-address limit counts under for this request's client (see addressKey). */
export function clientKeyOf(headers: Headers | Record<string, string | string[] | undefined>): string {
  return addressKey(clientIpOf(headers));
}

/**
 * What per-address limits count under, for an address: an IPv4 address as it
 * is, an IPv6 address as its /64 network ("2001:db8:1:2::/64"). One IPv6
 * client usually holds a whole /64 (SLAAC and privacy addresses hand out any
 * of its 2^64 addresses), so counting single IPv6 addresses would give it
 * endless fresh allowances. An IPv4-mapped IPv6 address counts as the IPv4
 * address. Anything that is not an address (e.g. "unknown") is its own key.
 * Idempotent: a key given again comes back unchanged.
 */
export function addressKey(address: string): string {
  const ip = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  if (isIP(ip) !== 6) return ip;
  const groups = expandIpv6(ip);
  if (groups.slice(0, 6).every((g, i) => g === (i === 5 ? 0xffff : 0))) {
    // ::ffff:a.b.c.d written in hex groups.
    return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join(".");
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (zone id dropped, embedded IPv4 converted). */
function expandIpv6(ip: string): number[] {
  let text = ip.replace(/%.*$/, "").toLowerCase();
  const v4 = text.match(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const zeros = tail === undefined ? [] : Array(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right].map((g) => parseInt(g, 16));
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
export function resolveClientIp(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trustedHops: boolean | number): string {
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

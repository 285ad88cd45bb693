/**
 * The web server (web/server.ts) writes the client's address into this header
 * on every request, replacing anything a client sent under the same name, so
 * route handlers can trust it. With SAM_TRUST_PROXY it is the left-most
 * X-Forwarded-For entry (set by your reverse proxy), otherwise the socket's peer.
 */
export const CLIENT_IP_HEADER = "x-sam-client-ip";

export function clientIpOf(headers: Headers | Record<string, string | string[] | undefined>): string {
  const value = headers instanceof Headers ? headers.get(CLIENT_IP_HEADER) : headers[CLIENT_IP_HEADER];
  const ip = Array.isArray(value) ? value[0] : value;
  return ip || "unknown";
}

export function resolveClientIp(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trustProxy: boolean): string {
  if (trustProxy && forwardedFor) {
    const first = (Array.isArray(forwardedFor) ? forwardedFor[0] : forwardedFor)?.split(",")[0]?.trim();
    if (first) return first;
  }
  return socketAddress?.replace(/^::ffff:/, "") ?? "unknown";
}

/**
 * Where to go after signing in or up: only a page of this app (no open redirects).
 *
 * Prefix checks on the raw string are not enough: browsers drop tabs and
 * newlines from URLs and read `\` as `/`, so `/\t/evil.com` or `/\evil.com`
 * pass a "starts with one slash" test and still leave the site. Instead the
 * value is parsed the way a browser parses it, against the app's origin, and
 * kept only when it stays on that origin; what is returned is the re-serialized
 * path, which is parsed once more so that it cannot read as `//host` either.
 */
const PLACEHOLDER_ORIGIN = "http://sam.invalid";

export function safeCallbackUrl(value: string | string[] | undefined, appOrigin: string = PLACEHOLDER_ORIGIN): string {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return "/";
  const origin = originOf(appOrigin);
  const url = parse(raw, origin);
  if (!url || url.origin !== origin) return "/";
  const path = url.pathname + url.search + url.hash;
  // "/.//evil.com" resolves to the path "//evil.com": on our origin now, another host once a browser reads it alone.
  if (!path.startsWith("/") || path.startsWith("//")) return "/";
  const again = parse(path, origin);
  return again && again.origin === origin && again.pathname + again.search + again.hash === path ? path : "/";
}

/** The absolute address for next-auth, which wants one: our origin plus a safe path. */
export function safeAbsoluteCallbackUrl(value: string, appOrigin: string): string {
  return originOf(appOrigin) + safeCallbackUrl(value, appOrigin);
}

function originOf(appOrigin: string): string {
  return parse(appOrigin, PLACEHOLDER_ORIGIN)?.origin ?? PLACEHOLDER_ORIGIN;
}

function parse(value: string, base: string): URL | undefined {
  try {
    return new URL(value, base);
  } catch {
    return undefined;
  }
}

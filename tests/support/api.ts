import { randomBytes } from "node:crypto";
import { inject } from "vitest";

export const webUrl = () => inject("webUrl");

/** A username no other test uses. */
export function uniqueName(prefix = "u"): string {
  return `${prefix}_${randomBytes(5).toString("hex")}`;
}

/** A client address no other test uses (the test web server trusts X-Forwarded-For). */
export function uniqueIp(): string {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

export const PASSWORD = "correct horse battery staple";

export async function api(
  method: string,
  path: string,
  options: {
    body?: unknown;
    rawBody?: string;
    token?: string;
    ip?: string;
    headers?: Record<string, string> /** Another web process than the suite's. */;
    base?: string;
  } = {},
) {
  const headers: Record<string, string> = { "x-forwarded-for": options.ip ?? uniqueIp(), ...options.headers };
  if (options.body !== undefined || options.rawBody !== undefined) headers["content-type"] ??= "application/json";
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch((options.base ?? webUrl()) + path, {
    method,
    headers,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    redirect: "manual",
  });
  const text = await response.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

export async function registerUser(username = uniqueName(), password = PASSWORD) {
  const res = await api("POST", "/api/v1/auth/register", { body: { username, password } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
  return { username, password, token: res.json.token as string, id: res.json.user.id as string };
}

import net from "node:net";
import { describe, expect, it } from "vitest";
import { registerUser, webUrl } from "../support/api";

/**
 * POST /api/v1/executions with an Authorization header skips Next.js
 * (web/direct-routes.ts). Node's parser lets any Host value through, and
 * Next.js serves a request whose Host makes no URL; the direct path made its
 * Fetch Request from it and threw: a 500 and an error logged, for anyone who
 * sends any Authorization header at all. It must be served as under Next.
 */

/** One raw HTTP/1.1 request (fetch would not send these Host values); the whole answer as text. */
function raw(request: string): Promise<string> {
  const url = new URL(webUrl());
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(request));
    let answer = "";
    socket.on("data", (d) => (answer += d.toString("latin1")));
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
  });
}

describe("a Host header that makes no URL, on the direct run API", () => {
  it("is served as Next.js serves it, not answered 500", async () => {
    const { token } = await registerUser();
    const body = JSON.stringify({ language: "python", files: [{ name: "main.py", content: "print(1)" }] });
    for (const host of ["[", "a b", "x:99999", "%zz"]) {
      const answer = await raw(
        `POST /api/v1/executions HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      expect(answer.split("\r\n")[0], `Host: ${host}`).toBe("HTTP/1.1 202 Accepted");
      expect(answer.toLowerCase()).toContain("x-content-type-options: nosniff");
    }
    // A token that is not one, with such a Host: the route's 401, not a 500.
    const refused = await raw(
      `POST /api/v1/executions HTTP/1.1\r\nHost: [\r\nAuthorization: Bearer nope\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    );
    expect(refused.split("\r\n")[0]).toBe("HTTP/1.1 401 Unauthorized");
  });
});

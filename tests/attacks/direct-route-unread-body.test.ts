import net from "node:net";
import { describe, expect, it } from "vitest";
import { webUrl } from "../support/api";

/**
 * POST /api/v1/executions with an Authorization header skips Next.js
 * (web/direct-routes.ts). A request refused before its body is read (a token
 * that is not one: 401; a declared length over the limit: 413) left the
 * body's stream holding part of it, paused: on a kept-alive connection the
 * next request was never answered, and the connection hung (holding one of
 * its address's connections) until the server dropped it (seconds here).
 * Under Next.js the unread body is drained and the next request answered.
 * Now the refusal says `Connection: close` and the connection ends.
 */

/** Writes `first` then `second` on one connection; everything the server answers until it closes the connection. */
function pipelined(first: Buffer, second: string): Promise<string> {
  const url = new URL(webUrl());
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => {
      socket.write(first);
      socket.write(second);
    });
    let answer = "";
    socket.on("data", (d) => (answer += d.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(answer));
    // A connection still open by then is the hang this test is about.
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`the connection was still open after 20 s; answered so far: ${answer.split("\r\n")[0]}`));
    }, 20_000);
  });
}

describe("a direct run API call refused before its body is read", () => {
  it("closes its connection instead of leaving it hanging with the body unread", async () => {
    const size = 1_000_000;
    const head =
      `POST /api/v1/executions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer not-a-token\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${size}\r\n\r\n`;
    const answer = await pipelined(Buffer.concat([Buffer.from(head), Buffer.alloc(size, 0x78)]), "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(answer.split("\r\n")[0]).toBe("HTTP/1.1 401 Unauthorized");
    expect(answer.toLowerCase()).toContain("connection: close");
  });

  it("keeps the connection for the next request when the body was read", async () => {
    const body = '{"language": "python", "files": [';
    const head =
      `POST /api/v1/executions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sam_${"a".repeat(43)}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${body.length}\r\n\r\n${body}`;
    const answer = await pipelined(Buffer.from(head), "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const statuses = answer.match(/^HTTP\/1\.1 \d+/gm);
    expect(statuses).toEqual(["HTTP/1.1 401", "HTTP/1.1 200"]);
  });
});

import fs from "node:fs";
import net from "node:net";
import { describe, expect, inject, it } from "vitest";
import { uniqueIp, webUrl } from "../support/api";

/**
 * Attack: a request body cut off mid-upload. Node reports the cut as an
 * "aborted" error with code ECONNRESET, one of the socket codes
 * lib/db/unavailable.ts takes for PostgreSQL being unreachable: any stranger
 * (the sign-in and sign-up routes read their body before anything else)
 * made the web process log "the database is unreachable; answered 503" at
 * will, faking a database outage in the log an operator (or an alert)
 * watches. A body that cannot be read to its end is the client's fault: 400.
 */
const OUTAGE = "the database is unreachable; answered 503";
const outagesLogged = () => fs.readFileSync(inject("webLogFile"), "utf8").split(OUTAGE).length - 1;

/** Sends the head and part of a JSON body, then resets the connection. */
function cutUpload(path: string, marker: string): Promise<void> {
  const url = new URL(webUrl());
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname, () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nX-Forwarded-For: ${uniqueIp()}\r\n\r\n{"username":"${marker}`,
      );
      setTimeout(() => {
        socket.resetAndDestroy();
        resolve();
      }, 300);
    });
    socket.on("error", () => undefined);
  });
}

describe("attack: an upload cut off mid-body", () => {
  it("is not logged as the database being unreachable", async () => {
    const before = outagesLogged();
    for (const path of ["/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/executions"]) await cutUpload(path, "cut");
    // Still serving; and the cut requests have had time to fail (on the old code their lines came within milliseconds).
    const probe = await fetch(`${webUrl()}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": uniqueIp() },
      body: "{",
    });
    expect(probe.status).toBe(400);
    await new Promise((r) => setTimeout(r, 2000));
    expect(outagesLogged()).toBe(before);
  });
});

import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, registerUser } from "../support/api";
import { sharedBacking } from "../support/shared-backing";
import { startService, type RunningService } from "../support/stack";

/**
 * Attack (attack-web F17, and G4 of the third round): hold the web server's connections by trickling
 * header bytes. They lived about 35 s (headersTimeout 20 s, checked every
 * 30 s) and one address could hold any number: two clients held 14,000, near
 * the process's file-descriptor limit. Now one address holds at most
 * SAM_MAX_CONNECTIONS_PER_IP connections, and an incomplete request is cut
 * after 10 s; event streams, which are complete requests, are not affected.
 * And a few addresses at their own cap cannot fill the process's total and
 * keep everyone else out: the heaviest address gives up its oldest connection.
 */
const CAP = 20;
let web: RunningService;
beforeAll(async () => {
  // No proxy in front: the socket's peer is the client, as for a server on the internet.
  web = await startService("web/server.ts", sharedBacking(), { SAM_TRUST_PROXY: "false", SAM_MAX_CONNECTIONS_PER_IP: String(CAP) });
});
afterAll(async () => {
  await web?.stop();
});

/** A connection that sends the start of a request and never finishes its headers; resolves its fate. */
function slowHeaders(): { socket: net.Socket; closed: Promise<{ afterMs: number; answer: string }> } {
  const socket = net.connect(web.port, "127.0.0.1");
  const opened = Date.now();
  let answer = "";
  socket.on("data", (d) => (answer += d.toString("latin1")));
  socket.on("error", () => undefined);
  socket.on("connect", () => socket.write("GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: "));
  const closed = new Promise<{ afterMs: number; answer: string }>((resolve) => socket.on("close", () => resolve({ afterMs: Date.now() - opened, answer })));
  return { socket, closed };
}

describe("slow-header connections", () => {
  it("one address holds at most its cap; one more is refused with 429 too_many_connections", async () => {
    const held = Array.from({ length: CAP }, slowHeaders);
    await Promise.all(held.map((h) => new Promise((r) => h.socket.once("connect", r))));
    const extra = slowHeaders();
    const refused = await extra.closed;
    expect(refused.answer).toMatch(/^HTTP\/1\.1 429 /);
    expect(refused.answer).toContain('"too_many_connections"');
    // The held ones are cut by the server, not kept for half a minute or more.
    const fates = await Promise.all(held.map((h) => h.closed));
    for (const fate of fates) expect(fate.afterMs).toBeLessThan(25_000);
    // Then the address may connect again.
    const health = await fetch(`${web.url}/api/v1/health?scope=web`);
    expect(health.status).toBe(200);
  });

  it("an event stream held open past the header timeout keeps flowing", async () => {
    const owner = await registerUser();
    const room = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "Streams stay", language: "python" } });
    const received: string[] = [];
    const request = http.get(`${web.url}/api/v1/rooms/${room.json.id}/events`, { headers: { authorization: `Bearer ${owner.token}` } });
    const response = await new Promise<http.IncomingMessage>((resolve) => request.on("response", resolve));
    expect(response.statusCode).toBe(200);
    response.on("data", (d: Buffer) => received.push(d.toString()));
    // Past headersTimeout (10 s) and its checking interval: the room stream sends a keep-alive every 5 s.
    await new Promise((r) => setTimeout(r, 14_000));
    const late = received.length;
    await new Promise((r) => setTimeout(r, 6_000));
    expect(received.length).toBeGreaterThan(late);
    expect(response.destroyed).toBe(false);
    request.destroy();
  });
});

describe("a few addresses filling the total", () => {
  const TOTAL = 30;
  let capped: RunningService;
  beforeAll(async () => {
    capped = await startService("web/server.ts", sharedBacking(), { SAM_TRUST_PROXY: "false", SAM_MAX_CONNECTIONS_PER_IP: "20", SAM_MAX_CONNECTIONS: String(TOTAL) });
  });
  afterAll(async () => {
    await capped?.stop();
  });

  /** A sign-in whose body never finishes (complete headers: the header timeout does not apply; a size the route takes), from a given local address. */
  function slowBody(localAddress: string): { socket: net.Socket; closed: Promise<void> } {
    const socket = net.connect({ port: capped.port, host: "127.0.0.1", localAddress });
    socket.on("error", () => undefined);
    socket.on("connect", () => socket.write("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"));
    return { socket, closed: new Promise((resolve) => socket.on("close", () => resolve())) };
  }

  it("the heaviest address gives up its oldest connection to a newcomer; it cannot take the place back", async () => {
    // The readiness checks' kept-alive connection ends first (the server's keep-alive timeout is 5 s): then
    // two addresses hold the process's every connection, 15 each.
    await new Promise((r) => setTimeout(r, 6000));
    const attackers = ["127.0.77.1", "127.0.77.2"].flatMap((address) => Array.from({ length: TOTAL / 2 }, () => slowBody(address)));
    let shed = 0;
    attackers.forEach((a) => void a.closed.then(() => shed++));
    await Promise.all(attackers.map((a) => new Promise((r) => a.socket.once("connect", r))));
    // Let the server count them all.
    await new Promise((r) => setTimeout(r, 500));
    // Someone else still gets in (before: 503 busy until the attackers' requests timed out, then they reconnected).
    const answer = await new Promise<number>((resolve, reject) => {
      http.get(`${capped.url}/api/v1/health?scope=web`, { localAddress: "127.0.77.3", agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }).on("error", reject);
    });
    expect(answer).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(shed).toBe(1);
    // The attacker takes the freed place back (the newcomer has left), then asks for one more: it already holds
    // as much as anyone, so it is refused rather than shedding the other.
    const again = slowBody("127.0.77.1");
    await new Promise((r) => again.socket.once("connect", r));
    await new Promise((r) => setTimeout(r, 300));
    const more = await new Promise<string>((resolve) => {
      const socket = net.connect({ port: capped.port, host: "127.0.0.1", localAddress: "127.0.77.1" });
      let text = "";
      socket.on("data", (d) => (text += d.toString("latin1")));
      socket.on("error", () => undefined);
      socket.on("close", () => resolve(text));
    });
    expect(more).toMatch(/^HTTP\/1\.1 503 /);
    expect(more).toContain('"busy"');
    expect(shed).toBe(1);
    [...attackers, again].forEach((a) => a.socket.destroy());
  });
});

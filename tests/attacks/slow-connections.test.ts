import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
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
    capped = await startService("web/server.ts", sharedBacking(), {
      SAM_TRUST_PROXY: "false",
      SAM_MAX_CONNECTIONS_PER_IP: "20",
      SAM_MAX_CONNECTIONS: String(TOTAL),
      // Room sockets reach the suite's collab service.
      SAM_COLLAB_URL: inject("collabUrl"),
    });
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

  /** A fresh address's request for the health route: its status (closes its connection after). */
  const newcomer = (localAddress: string) =>
    new Promise<number>((resolve, reject) => {
      http
        .get(`${capped.url}/api/v1/health?scope=web`, { localAddress, agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        })
        .on("error", reject);
    });

  /** Lets the readiness checks' kept-alive connection end (the server's keep-alive timeout is 5 s), so the test holds every connection. */
  const quiet = () => new Promise((r) => setTimeout(r, 6000));

  it("a few heavy addresses holding unfinished requests give way to a newcomer (third round, G4)", async () => {
    await quiet();
    // Two addresses hold the process's every connection, 15 each.
    const attackers = ["127.0.77.1", "127.0.77.2"].flatMap((address) => Array.from({ length: TOTAL / 2 }, () => slowBody(address)));
    let shed = 0;
    attackers.forEach((a) => void a.closed.then(() => shed++));
    await Promise.all(attackers.map((a) => new Promise((r) => a.socket.once("connect", r))));
    await new Promise((r) => setTimeout(r, 500));
    // Someone else still gets in (before: 503 busy until the attackers' requests timed out, then they reconnected).
    expect(await newcomer("127.0.77.3")).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(shed).toBe(1);
    attackers.forEach((a) => a.socket.destroy());
  });

  /** A room socket that never signs in (the collab service closes it after its auth timeout), from a given local address. */
  function unsignedRoomSocket(localAddress: string): { socket: net.Socket; closed: Promise<void> } {
    const socket = net.connect({ port: capped.port, host: "127.0.0.1", localAddress });
    socket.on("error", () => undefined);
    socket.on("connect", () =>
      socket.write(
        `GET /collab HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${Buffer.from("0123456789abcdef").toString("base64")}\r\n\r\n`,
      ),
    );
    // Read (and drop) what comes: a socket that reads nothing never sees the server close it.
    socket.resume();
    return { socket, closed: new Promise((resolve) => socket.on("close", () => resolve())) };
  }

  it("one unfinished request or unsigned room socket from each of many addresses neither keeps newcomers out nor cuts what members wait for (fourth round H2, fifth K1 and K2)", async () => {
    await quiet();
    const owner = await registerUser();
    const room = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "Shed", language: "python" } });
    // The member's event stream: the oldest connection of all.
    const received: string[] = [];
    const request = http.get(`${capped.url}/api/v1/rooms/${room.json.id}/events`, {
      headers: { authorization: `Bearer ${owner.token}` },
      localAddress: "127.0.78.250",
      agent: false,
    });
    const response = await new Promise<http.IncomingMessage>((resolve) => request.on("response", resolve));
    expect(response.statusCode).toBe(200);
    response.on("data", (d: Buffer) => received.push(d.toString()));
    // A run the member waits for: received whole, its answer not begun for seconds (K1: it was cut as "waiting").
    const waited = fetch(`${capped.url}/api/v1/executions?wait=true`, {
      method: "POST",
      headers: { authorization: `Bearer ${owner.token}`, "content-type": "application/json" },
      body: JSON.stringify({ language: "python", files: [{ name: "main.py", content: "import time\ntime.sleep(4)\nprint('done')" }] }),
    }).then(async (res) => ({ status: res.status, body: await res.json() }));
    // Every other place: one room socket that never signs in per address (K2: those were never shed), or a slow
    // body, each reopened a moment after it is cut.
    let shed = 0;
    let stop = false;
    const hold = (address: string, i: number) => {
      const { socket, closed } = i % 7 === 6 ? slowBody(address) : unsignedRoomSocket(address);
      void closed.then(() => {
        shed++;
        if (!stop) setTimeout(() => hold(address, i), 200);
      });
      return socket;
    };
    const sockets = Array.from({ length: TOTAL - 2 }, (_, i) => hold(`127.0.78.${i + 1}`, i));
    await Promise.all(sockets.map((socket) => new Promise((r) => socket.once("connect", r))));
    await new Promise((r) => setTimeout(r, 500));
    // Newcomers get in, each in place of the longest-waiting of those (before: 503 for every one).
    for (let i = 0; i < 5; i++) {
      // The attackers have reopened what the last newcomer took: the process is full again.
      await new Promise((r) => setTimeout(r, 500));
      expect(await newcomer(`127.0.79.${i + 1}`)).toBe(200);
    }
    expect(shed).toBeGreaterThanOrEqual(5);
    // What the member waits for was never the one cut: the run's answer comes, the stream flows on.
    const run = await waited;
    expect(run.status).toBe(200);
    expect(run.body.stdout).toBe("done\n");
    const seen = received.length;
    await new Promise((r) => setTimeout(r, 6000));
    expect(response.destroyed).toBe(false);
    expect(received.length).toBeGreaterThan(seen);
    stop = true;
    request.destroy();
  }, 90_000);
});

import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { MessageType } from "@hocuspocus/server";
import * as encoding from "lib0/encoding";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import WebSocket from "ws";
import { CLOSE } from "../../lib/rooms/close-codes";
import { uniqueIp } from "../support/api";
import { connectRoom, eventually, rawRoomSocket, roomMessage, roomToken, roomWithMembers, rssBytes, type RawSocket } from "../support/rooms";
import { startService, type Backing, type RunningService } from "../support/stack";

/**
 * Room sockets from people without an account. Hocuspocus holds every
 * message that arrives for a room until the room's authentication succeeds,
 * without limit or timeout: 160 MiB of 1 MiB frames over four such sockets
 * through the web port once grew the collab process by 170 MB, for good.
 *
 * A collab process and a web process of this file's own (so their memory and
 * counts are this file's alone), with short limits: 3 s to authenticate,
 * 3 rooms per socket, 4 sockets per address still signing in (at the web
 * proxy, and at the collab port itself).
 */
const backing: Backing = { dataDir: inject("dataDir"), databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl"), stop: async () => undefined };
const MAX_ROOMS = 3;
const MAX_SIGNING_IN = 4;
let collab: RunningService;
let web: RunningService;

beforeAll(async () => {
  collab = await startService("collab/main.ts", backing, {
    SAM_COLLAB_AUTH_TIMEOUT_MS: "3000",
    SAM_COLLAB_MAX_ROOMS_PER_SOCKET: String(MAX_ROOMS),
    SAM_COLLAB_MAX_UNAUTHENTICATED_PER_IP: String(MAX_SIGNING_IN),
  });
  web = await startService("web/server.ts", backing, {
    SAM_COLLAB_URL: collab.url,
    SAM_TRUST_PROXY: "true",
    SAM_COLLAB_MAX_UNAUTHENTICATED_PER_IP: String(MAX_SIGNING_IN),
  });
});
afterAll(async () => {
  await web?.stop();
  await collab?.stop();
});

const MiB = 1024 * 1024;
const tokenMessage = (roomId: string, token: string) =>
  roomMessage(roomId, MessageType.Auth, (e) => {
    encoding.writeVarUint(e, 0); // a token
    encoding.writeVarString(e, token);
  });
// A sync message with a 1 MiB update: what Hocuspocus would hold for the room until it is authenticated.
const bigFrame = (roomId: string) => roomMessage(roomId, MessageType.Sync, (e) => encoding.writeVarUint8Array(e, new Uint8Array(MiB - 64).fill(7)));

/** Sends `frames` one after the other, each once the last was written, until they are all sent or the socket closes. */
async function flood(socket: RawSocket, frames: number, frame: Uint8Array): Promise<void> {
  for (let sent = 0; sent < frames && socket.ws.readyState === WebSocket.OPEN; sent++) {
    if (!(await new Promise<boolean>((resolve) => socket.ws.send(frame, (err) => resolve(!err))))) return;
  }
}

/** A client of the dedicated stack that authenticates and syncs: real users must keep working. */
async function realUserSyncs(): Promise<void> {
  const { roomId, owner } = await roomWithMembers();
  const c = connectRoom(roomId, () => roomToken(roomId, owner), { collabUrl: web.url });
  try {
    await c.synced;
  } finally {
    c.destroy();
  }
}

describe("attack: room sockets without an account", () => {
  it("megabytes of frames over unauthenticated sockets are cut off early, and the collab process does not keep them", async () => {
    await realUserSyncs(); // warm: the baseline is a process that has served a room
    const before = rssBytes(collab.proc.child.pid!);
    const sockets = Array.from({ length: 4 }, () => rawRoomSocket(web.url, uniqueIp()));
    await Promise.all(
      sockets.map(async (socket, i) => {
        expect(await socket.opened).toBe("open");
        const roomId = randomUUID();
        // Half of them start with a token nobody signed, as a client might; the others send no token at all.
        if (i % 2 === 0) socket.ws.send(tokenMessage(roomId, "forged.token.value"));
        await flood(socket, 40, bigFrame(roomId));
      }),
    );
    // Closed at the small budget for data before authentication (not at a timeout, and not after taking it all).
    for (const close of await Promise.all(sockets.map((s) => s.closed))) expect(close).toEqual(CLOSE.tooMuchBeforeAuthentication);
    await new Promise((r) => setTimeout(r, 1000));
    const grown = rssBytes(collab.proc.child.pid!) - before;
    // 160 MiB were thrown at it; a generous margin for the garbage a few frames leave behind.
    expect(grown).toBeLessThan(48 * MiB);
    await realUserSyncs();
  }, 120_000);

  it("a socket that never authenticates is closed, with the reason", async () => {
    const silent = rawRoomSocket(web.url, uniqueIp());
    const chatty = rawRoomSocket(web.url, uniqueIp());
    expect(await silent.opened).toBe("open");
    expect(await chatty.opened).toBe("open");
    // Messages for a room, but never its token.
    chatty.ws.send(roomMessage(randomUUID(), MessageType.QueryAwareness, () => undefined));
    expect(await silent.closed).toEqual(CLOSE.authenticationTimeout);
    expect(await chatty.closed).toEqual(CLOSE.authenticationTimeout);
  });

  it("too many room names on one socket are refused", async () => {
    const socket = rawRoomSocket(web.url, uniqueIp());
    expect(await socket.opened).toBe("open");
    for (let i = 0; i <= MAX_ROOMS; i++) socket.ws.send(roomMessage(randomUUID(), MessageType.QueryAwareness, () => undefined));
    expect(await socket.closed).toEqual(CLOSE.tooManyRooms);
  });

  it("too many sockets still signing in from one address are refused at the web proxy; other addresses, and signed-in sockets, still connect", async () => {
    const ip = uniqueIp();
    const waiting = Array.from({ length: MAX_SIGNING_IN }, () => rawRoomSocket(web.url, ip));
    for (const s of waiting) expect(await s.opened).toBe("open");
    const oneMore = rawRoomSocket(web.url, ip);
    expect(await oneMore.opened).toBe(429);
    const elsewhere = rawRoomSocket(web.url, uniqueIp());
    expect(await elsewhere.opened).toBe("open");
    elsewhere.ws.close();

    // Sockets that authenticated no longer count: a member opens more rooms from one address than may be signing in at once.
    const memberIp = uniqueIp();
    const clients = [];
    for (let i = 0; i < MAX_SIGNING_IN + 2; i++) {
      const { roomId, owner } = await roomWithMembers();
      const c = connectRoom(roomId, () => roomToken(roomId, owner), { collabUrl: web.url, ip: memberIp });
      clients.push(c);
      await c.synced;
    }
    for (const c of clients) c.destroy();

    // Once the waiting sockets are gone (the collab service closes them), the address may connect again.
    for (const s of waiting) expect((await s.closed).code).toBe(CLOSE.authenticationTimeout.code);
    await eventually(
      "the address to be let in again",
      async () => {
        const again = rawRoomSocket(web.url, ip);
        const opened = await again.opened;
        again.ws.terminate();
        return opened === "open";
      },
      20_000,
    );
  });

  it("straight to the collab port, one address gets only a few sockets still signing in, and a flood writes few log lines", async () => {
    // The collab port is reachable (HOST=0.0.0.0 exposes it): 3,000 sockets from one address were all taken, one log line each.
    const logFrom = fs.readFileSync(collab.logFile, "utf8").length;
    const sockets = Array.from({ length: 60 }, () => rawRoomSocket(collab.url));
    const opened = await Promise.all(sockets.map((s) => s.opened));
    expect(opened.filter((o) => o === "open")).toHaveLength(MAX_SIGNING_IN);
    expect(opened.filter((o) => o === 429)).toHaveLength(60 - MAX_SIGNING_IN);
    // The open ones never authenticate: closed at the timeout, and the address may connect again.
    for (const [i, s] of sockets.entries()) if (opened[i] === "open") expect((await s.closed).code).toBe(CLOSE.authenticationTimeout.code);
    await eventually("the address to be let in again", async () => {
      const again = rawRoomSocket(collab.url);
      const state = await again.opened;
      again.ws.terminate();
      return state === "open";
    });
    const lines = fs
      .readFileSync(collab.logFile, "utf8")
      .slice(logFrom)
      .split("\n")
      .filter((l) => l.includes('"msg":"room socket'));
    expect(lines.length).toBeLessThanOrEqual(20);
  });
});

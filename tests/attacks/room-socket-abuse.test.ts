import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import WebSocket from "ws";
import { connectRoom, eventually, roomToken, roomWithMembers } from "../support/rooms";

/**
 * Attacks on the room socket (collab service). Each must be refused, and the
 * service must go on serving everyone else: an oversized frame once ended the
 * whole process (an unhandled socket error), which is why this file exists.
 */
const collabWs = () => `${inject("collabUrl").replace(/^http/, "ws")}/collab`;

async function stillServes(): Promise<void> {
  const res = await fetch(`${inject("collabUrl")}/health`);
  expect(res.status).toBe(200);
  const { roomId, owner } = await roomWithMembers();
  const c = connectRoom(roomId, () => roomToken(roomId, owner), { direct: true });
  try {
    await c.synced;
  } finally {
    c.destroy();
  }
}

describe("attack: abusing the room socket", () => {
  it("a frame over the message size limit is refused (1009) and the service keeps serving", async () => {
    const ws = new WebSocket(collabWs());
    ws.on("error", () => undefined);
    await new Promise((resolve) => ws.once("open", resolve));
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    ws.send(Buffer.alloc(3 * 1024 * 1024, 1));
    expect(await closed).toBe(1009);
    await stillServes();
  });

  it("garbage that is not the room protocol closes that socket only", async () => {
    for (const junk of [Buffer.from([0xff, 0xff, 0xff, 0xff, 0x01]), Buffer.from("not yjs at all"), Buffer.alloc(0)]) {
      const ws = new WebSocket(collabWs());
      ws.on("error", () => undefined);
      await new Promise((resolve) => ws.once("open", resolve));
      ws.send(junk);
      await new Promise((r) => setTimeout(r, 200));
      ws.terminate();
    }
    await stillServes();
  });

  it("opening more sockets than one user may is refused with a clear reason", async () => {
    const { roomId, owner } = await roomWithMembers();
    const clients = Array.from({ length: 21 }, () => connectRoom(roomId, () => roomToken(roomId, owner), { direct: true }));
    try {
      await eventually(
        "connections over the limit to be refused",
        () => clients.some((c) => c.authFailures.some((r) => r.includes("Too many open connections")) || c.closeEvents.some((e) => e.code === 4029)),
        20_000,
      );
    } finally {
      for (const c of clients) c.destroy();
    }
    await stillServes();
  });

  it("connecting without any token, or with someone else's room name, gets nothing", async () => {
    const { roomId } = await roomWithMembers();
    const other = await roomWithMembers();
    const noToken = connectRoom(roomId, "", { direct: true });
    const wrongRoom = connectRoom(roomId, () => roomToken(other.roomId, other.owner), { direct: true });
    try {
      await eventually("both to be refused", () => [noToken, wrongRoom].every((c) => c.authFailures.length > 0 || c.closeEvents.length > 0));
      expect(noToken.doc.getMap("files").size).toBe(0);
      expect(wrongRoom.doc.getMap("files").size).toBe(0);
    } finally {
      noToken.destroy();
      wrongRoom.destroy();
    }
  });
});

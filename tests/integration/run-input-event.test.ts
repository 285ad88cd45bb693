import { afterAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "../../lib/db/client";
import { api } from "../support/api";
import { roomWithMembers } from "../support/rooms";

/**
 * A room run's event stream starts with an `input` event: the stdin given
 * with the run request, so every watcher sees it as input (the run panel
 * shows it like input typed live), also after the run, from PostgreSQL.
 */
const db = createDatabase(inject("databaseUrl"));
afterAll(async () => {
  await db.$disconnect();
});

/** A finished run stored as the runner leaves it. */
async function finishedRun(userId: string, stdin: Buffer, roomId?: string) {
  const row = await db.execution.create({
    data: {
      userId,
      roomId,
      language: "python",
      version: "3",
      status: "succeeded",
      limits: {},
      stdin: new Uint8Array(stdin),
      stdout: new Uint8Array(Buffer.from("out\n")),
      exitCode: 0,
      attempts: 1,
      finishedAt: new Date(),
    },
  });
  return row.id;
}

/** The SSE events of a finished run's stream (it ends after `result`), in order. */
async function events(id: string, token: string, query = "") {
  const res = await api("GET", `/api/v1/executions/${id}/events${query}`, { token });
  return {
    status: res.status,
    events: res.text
      .split("\n\n")
      .map((block) => ({ type: /^event: (.*)$/m.exec(block)?.[1], data: /^data: (.*)$/m.exec(block)?.[1] }))
      .filter((e) => e.type),
  };
}

describe("the input given with a room run, in its event stream", () => {
  it("comes first, for every member who may watch, as text or base64; never for an outsider", async () => {
    const r = await roomWithMembers();
    const stdin = Buffer.from([0x68, 0x69, 0x0a, 0xff]);
    const id = await finishedRun(r.editor.id, stdin, r.roomId);
    for (const member of [r.owner, r.editor, r.viewer]) {
      const { status, events: got } = await events(id, member.token);
      expect(status).toBe(200);
      expect(got.map((e) => e.type)).toEqual(["input", "result"]);
      expect(JSON.parse(got[0]!.data!)).toBe("hi\n\ufffd");
    }
    const base64 = await events(id, r.viewer.token, "?encoding=base64");
    expect(JSON.parse(base64.events[0]!.data!)).toBe(stdin.toString("base64"));
    expect((await events(id, r.outsider.token)).status).toBe(404);
  });

  it("is not sent when there was no input, nor for runs outside a room, nor when resuming", async () => {
    const r = await roomWithMembers();
    const empty = await finishedRun(r.owner.id, Buffer.alloc(0), r.roomId);
    expect((await events(empty, r.viewer.token)).events.map((e) => e.type)).toEqual(["result"]);
    const outside = await finishedRun(r.owner.id, Buffer.from("x\n"));
    expect((await events(outside, r.owner.token)).events.map((e) => e.type)).toEqual(["result"]);
    const inRoom = await finishedRun(r.owner.id, Buffer.from("x\n"), r.roomId);
    const resumed = await api("GET", `/api/v1/executions/${inRoom}/events`, { token: r.owner.token, headers: { "last-event-id": "1-0" } });
    expect(resumed.text).not.toContain("event: input");
    expect(resumed.text).toContain("event: result");
  });
});

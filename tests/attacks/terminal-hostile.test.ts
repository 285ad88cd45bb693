import { afterAll, describe, expect, inject, it } from "vitest";
import { createRedis } from "../../lib/redis/connection";
import { listFiles } from "../../lib/rooms/document";
import { createFile } from "../../lib/rooms/tree";
import { api, registerUser } from "../support/api";
import { addMember, connectRoom, eventually, roomToken, roomWithMembers, type TestUser } from "../support/rooms";
import { startWeb } from "../support/shared-backing";
import { startTerminal, terminalStatus, typeInto, waitForEnd, waitForOutput, waitForPrompt } from "../support/terminals";

/**
 * Attack: a room terminal's input routes used against the service itself.
 * Input typed into a terminal waits in Redis (a stream per terminal, kept 24
 * hours) until the runner reads it; a terminal stopped while still queued
 * never reaches a runner, so nothing there ever cleared what it was sent. An
 * account holding its most running runs (two terminals elsewhere) keeps its
 * next terminal queued, fills it with input (8 MiB each), stops it and starts
 * another: Redis fills with input nobody will read. Also: a terminal's id
 * used under another room's routes, and window sizes out of range.
 */
const redis = createRedis(inject("redisUrl"));
afterAll(() => redis.quit());

const PIECE = "x".repeat(16 * 1024);

async function roomOf(owner: TestUser): Promise<string> {
  const created = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "Hostile terminal", language: "python" } });
  if (created.status !== 201) throw new Error(`room not created: ${created.status} ${created.text}`);
  return created.json.id as string;
}

/** The Redis keys a terminal's input occupies (lib/terminals/input.ts). */
const inputKeys = (id: string) => redis.exists(`sam:term:${id}:input`, `sam:term:${id}:input-bytes`, `sam:term:${id}:last-input`);

describe("attack: terminal input the service keeps", () => {
  it("input sent to a terminal stopped before it ran does not stay in Redis", async () => {
    const user = await registerUser();
    const rooms = await Promise.all([roomOf(user), roomOf(user), roomOf(user), roomOf(user)]);
    // Two terminals running: the account's most running runs (SAM_MAX_RUNNING_RUNS_PER_USER), so the next ones wait.
    const running = [await startTerminal(rooms[0]!, user), await startTerminal(rooms[1]!, user)];
    for (const id of running) await waitForPrompt(redis, id);
    try {
      // Stopped through the room's route and through the execution's own DELETE.
      for (const [i, stop] of [
        [2, (_id: string) => api("DELETE", `/api/v1/rooms/${rooms[2]}/terminal`, { token: user.token })],
        [3, (id: string) => api("DELETE", `/api/v1/executions/${id}`, { token: user.token })],
      ] as const) {
        const id = await startTerminal(rooms[i]!, user);
        for (let n = 0; n < 4; n++) expect((await typeInto(rooms[i]!, user, id, PIECE)).status).toBe(202);
        // The attack is real: the terminal never ran, and what it was sent waits in Redis.
        expect(await terminalStatus(id, user)).toBe("queued");
        expect(await redis.xlen(`sam:term:${id}:input`)).toBe(4);
        // A run's own stdin route is no way in either: nothing would ever read it.
        const viaStdin = await api("POST", `/api/v1/executions/${id}/stdin`, { token: user.token, body: { data: PIECE } });
        expect([viaStdin.status, viaStdin.json?.error?.code]).toEqual([409, "not_interactive"]);
        expect(await redis.exists(`sam:exec:${id}:stdin`)).toBe(0);
        expect((await stop(id)).status).toBe(200);
        expect(await waitForEnd(id, user)).toBe("cancelled");
        await eventually(`terminal ${id}'s input to be dropped`, async () => (await inputKeys(id)) === 0, 10_000);
      }
      // The same with a room's run, queued behind the account's running terminals, typed into through its stdin route.
      const run = await api("POST", `/api/v1/rooms/${rooms[2]}/runs`, { token: user.token, body: {} });
      expect(run.status).toBe(202);
      const runId = run.json.id as string;
      for (let n = 0; n < 4; n++)
        expect((await api("POST", `/api/v1/executions/${runId}/stdin`, { token: user.token, body: { data: PIECE } })).status).toBe(202);
      expect(await terminalStatus(runId, user)).toBe("queued");
      expect(await redis.xlen(`sam:exec:${runId}:stdin`)).toBe(4);
      expect((await api("DELETE", `/api/v1/executions/${runId}`, { token: user.token })).status).toBe(200);
      await eventually(
        `run ${runId}'s input to be dropped`,
        async () => (await redis.exists(`sam:exec:${runId}:stdin`, `sam:exec:${runId}:stdin-bytes`)) === 0,
        10_000,
      );
      const late = await api("POST", `/api/v1/executions/${runId}/stdin`, { token: user.token, body: { data: "late" } });
      expect(late.status).toBe(409);
      expect(await redis.exists(`sam:exec:${runId}:stdin`, `sam:exec:${runId}:stdin-bytes`)).toBe(0);
    } finally {
      await Promise.all(rooms.slice(0, 2).map((r) => api("DELETE", `/api/v1/rooms/${r}/terminal`, { token: user.token })));
    }
    for (const id of running) {
      expect(await waitForEnd(id, user)).toBe("cancelled");
      await eventually(`terminal ${id}'s input to be dropped`, async () => (await inputKeys(id)) === 0, 10_000);
    }
  });

  it("a terminal's id works only under its own room, and window sizes stay in range", async () => {
    const a = await roomWithMembers();
    const b = await roomWithMembers();
    // The same person edits both rooms: room A's terminal id under room B's routes is no terminal there.
    await addMember(b.roomId, b.owner, a.editor, "editor");
    const id = await startTerminal(a.roomId, a.editor);
    const terminalB = await startTerminal(b.roomId, b.owner);
    try {
      const cross = await typeInto(b.roomId, a.editor, id, "echo cross\r");
      expect([cross.status, cross.json.error.code]).toEqual([404, "no_terminal"]);
      const crossFiles = await api("POST", `/api/v1/rooms/${b.roomId}/terminal/files`, { token: a.editor.token, body: { terminalId: id } });
      expect(crossFiles.status).toBe(404);
      // Viewers neither type, resize, read the folder nor stop.
      expect(
        (await api("POST", `/api/v1/rooms/${a.roomId}/terminal/input`, { token: a.viewer.token, body: { terminalId: id, cols: 80, rows: 24 } })).status,
      ).toBe(403);
      expect((await api("POST", `/api/v1/rooms/${a.roomId}/terminal/files`, { token: a.viewer.token, body: { terminalId: id } })).status).toBe(403);
      expect((await api("DELETE", `/api/v1/executions/${id}`, { token: a.viewer.token })).status).toBe(403);
      // Sizes out of range, not whole, not numbers, or alone: refused before anything reaches the sandbox.
      for (const size of [
        { cols: 0, rows: 0 },
        { cols: -80, rows: 24 },
        { cols: 80.5, rows: 24 },
        { cols: 70000, rows: 24 },
        { cols: 80, rows: 1e9 },
        { cols: "80", rows: "24" },
        { cols: 80 },
      ]) {
        const res = await api("POST", `/api/v1/rooms/${a.roomId}/terminal/input`, { token: a.editor.token, body: { terminalId: id, ...size } });
        expect(res.status, JSON.stringify(size)).toBe(400);
      }
      const nan = await api("POST", `/api/v1/rooms/${a.roomId}/terminal/input`, {
        token: a.editor.token,
        rawBody: `{"terminalId":"${id}","cols":NaN,"rows":24}`,
      });
      expect(nan.status).toBe(400);
    } finally {
      await api("DELETE", `/api/v1/rooms/${a.roomId}/terminal`, { token: a.editor.token });
      await api("DELETE", `/api/v1/rooms/${b.roomId}/terminal`, { token: b.owner.token });
    }
    expect(await waitForEnd(id, a.viewer)).toBe("cancelled");
    expect(await waitForEnd(terminalB, b.viewer)).toBe("cancelled");
  });

  it("starting a terminal again and again stores the room's files only within the account's input budget", async () => {
    // A web process of its own whose input budget is 1 MiB an hour; the room holds a 300 KiB file.
    const web = await startWeb({ SAM_COLLAB_URL: inject("collabUrl"), SAM_INPUT_BUDGET_MB: "1" });
    try {
      const user = await registerUser();
      const created = await api("POST", "/api/v1/rooms", { token: user.token, body: { name: "Budget", language: "python" }, base: web.url });
      expect(created.status).toBe(201);
      const roomId = created.json.id as string;
      const client = connectRoom(roomId, () => roomToken(roomId, user));
      try {
        await client.synced;
        expect(createFile(client.doc, "data.txt", "y".repeat(300 * 1024))).toBeUndefined();
        // The room's server has it when a second client sees it.
        await eventually(
          "the room to hold the file",
          async () => {
            const other = connectRoom(roomId, () => roomToken(roomId, user));
            try {
              await other.synced;
              return listFiles(other.doc).some((f) => f.path === "data.txt" && f.content.length === 300 * 1024);
            } finally {
              other.destroy();
            }
          },
          30_000,
        );
      } finally {
        client.destroy();
      }
      // Start and stop: each start copies the room's files into PostgreSQL. Past the budget: refused.
      const codes: string[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await api("POST", `/api/v1/rooms/${roomId}/terminal`, { token: user.token, body: {}, base: web.url });
        if (res.status !== 202) {
          codes.push(`${res.status} ${res.json?.error?.code}`);
          break;
        }
        expect((await api("DELETE", `/api/v1/rooms/${roomId}/terminal`, { token: user.token, base: web.url })).status).toBe(200);
      }
      expect(codes).toEqual(["429 input_budget_exhausted"]);
    } finally {
      await web.stop();
    }
  });

  it("the files a terminal offers to keep never carry a name the room refuses", async () => {
    const { roomId, editor } = await roomWithMembers();
    const id = await startTerminal(roomId, editor);
    try {
      await waitForPrompt(redis, id);
      // "invoice\u202Etxt.py" shows as "invoiceyp.txt"; an escape sequence in a name recolours whatever shows it.
      await typeInto(roomId, editor, id, "touch \"$(printf 'invoice\\u202etxt.py')\" \"$(printf 'x\\033[31my.txt')\" ok.txt; echo T$((0))OUCHED\r");
      await waitForOutput(redis, id, "T0OUCHED");
      const res = await api("POST", `/api/v1/rooms/${roomId}/terminal/files`, { token: editor.token, body: { terminalId: id } });
      expect(res.status).toBe(200);
      expect(res.json.files.map((f: { path: string }) => f.path)).toEqual(["ok.txt"]);
      const skipped = res.json.skipped.map((f: { path: string }) => f.path);
      expect(skipped).toEqual(expect.arrayContaining(["invoice\u202etxt.py", "x\x1b[31my.txt"]));
    } finally {
      await api("DELETE", `/api/v1/rooms/${roomId}/terminal`, { token: editor.token });
    }
  });
});

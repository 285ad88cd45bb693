import { afterAll, describe, expect, inject, it } from "vitest";
import { createRedis } from "../../lib/redis/connection";
import { api } from "../support/api";
import { roomWithMembers } from "../support/rooms";
import { startTerminal, terminalStatus, typeInto, waitForEnd, waitForOutput, waitForPrompt } from "../support/terminals";

/**
 * A room's shared terminal through its routes (lib/terminals/, runner/terminal/):
 * who may start, watch, type and stop it, one per room, what it runs on.
 */
const redis = createRedis(inject("redisUrl"));
afterAll(() => redis.quit());

describe("room terminal routes", () => {
  it("checks the caller and the room role on every route", async () => {
    const { roomId, owner, editor, viewer, outsider } = await roomWithMembers();
    const base = `/api/v1/rooms/${roomId}/terminal`;
    expect((await api("GET", base)).status).toBe(401);
    expect((await api("POST", base, { body: {} })).status).toBe(401);
    expect((await api("GET", base, { token: outsider.token })).status).toBe(404);
    expect((await api("POST", base, { token: outsider.token, body: {} })).status).toBe(404);
    const viewerStart = await api("POST", base, { token: viewer.token, body: {} });
    expect([viewerStart.status, viewerStart.json.error.code]).toEqual([403, "forbidden"]);
    const none = await api("GET", base, { token: viewer.token });
    expect([none.status, none.json.terminal]).toEqual([200, null]);

    const started = await api("POST", base, { token: editor.token, body: {} });
    expect(started.status).toBe(202);
    const id = started.json.terminal.id as string;
    expect(started.json.terminal).toMatchObject({ startedBy: { username: editor.username }, maxSeconds: expect.any(Number), idleSeconds: expect.any(Number) });

    // Every member sees it and may follow its output; only editors and the owner type or stop it.
    const seen = await api("GET", base, { token: viewer.token });
    expect(seen.json.terminal.id).toBe(id);
    expect((await api("GET", `/api/v1/executions/${id}`, { token: viewer.token })).status).toBe(200);
    const viewerTypes = await typeInto(roomId, viewer, id, "echo no\r");
    expect([viewerTypes.status, viewerTypes.json.error.code]).toEqual([403, "forbidden"]);
    expect((await typeInto(roomId, outsider, id, "echo no\r")).status).toBe(404);
    expect((await api("POST", `${base}/input`, { body: { terminalId: id, data: "x" } })).status).toBe(401);
    expect((await api("DELETE", base, { token: viewer.token })).status).toBe(403);
    expect((await api("DELETE", base, { token: outsider.token })).status).toBe(404);

    // Starting again gives the running one.
    const again = await api("POST", base, { token: owner.token, body: {} });
    expect([again.status, again.json.terminal.id]).toEqual([200, id]);

    const stopped = await api("DELETE", base, { token: owner.token });
    expect([stopped.status, stopped.json.stopped]).toEqual([200, true]);
    expect(await waitForEnd(id, viewer)).toBe("cancelled");
    expect((await api("GET", base, { token: viewer.token })).json.terminal).toBe(null);
    const stopAgain = await api("DELETE", base, { token: owner.token });
    expect([stopAgain.status, stopAgain.json.error.code]).toEqual([404, "no_terminal"]);
    // A terminal is not one of the room's runs.
    const runs = await api("GET", `/api/v1/rooms/${roomId}/runs`, { token: owner.token });
    expect(runs.json.runs.map((r: { id: string }) => r.id)).not.toContain(id);
  });

  it("is one per room, whoever starts it at the same moment", async () => {
    const { roomId, owner, editor } = await roomWithMembers();
    const ids = await Promise.all([startTerminal(roomId, owner), startTerminal(roomId, editor), startTerminal(roomId, owner)]);
    expect(new Set(ids).size).toBe(1);
    const events = (await redis.xrange(`sam:room:${roomId}:events`, "-", "+")) as Array<[string, string[]]>;
    const announced = events.filter(([, f]) => f[1] === "terminal").map(([, f]) => JSON.parse(f[3]!).executionId);
    expect(announced).toEqual([ids[0]]);
    await api("DELETE", `/api/v1/rooms/${roomId}/terminal`, { token: owner.token });
  });

  it("runs a shell in a pseudo-terminal on the room's files, sized as the page asks", async () => {
    const { roomId, owner, editor, viewer } = await roomWithMembers();
    const id = await startTerminal(roomId, editor);
    const resized = await api("POST", `/api/v1/rooms/${roomId}/terminal/input`, { token: editor.token, body: { terminalId: id, cols: 100, rows: 30 } });
    expect(resized.status).toBe(202);
    await waitForPrompt(redis, id);
    expect((await typeInto(roomId, editor, id, "echo hi-$((6*7)); stty size; ls; tty\r")).status).toBe(202);
    const shown = await waitForOutput(redis, id, /\/dev\/pts\/\d/);
    expect(shown).toContain("hi-42");
    expect(shown).toContain("30 100");
    expect(shown).toContain("main.py"); // the python room's template file
    // The owner types too; the viewer only watches.
    expect((await typeInto(roomId, owner, id, "echo owner-$((2+3))\r")).status).toBe(202);
    await waitForOutput(redis, id, "owner-5");
    expect(await terminalStatus(id, viewer)).toBe("running");
    await api("DELETE", `/api/v1/rooms/${roomId}/terminal`, { token: owner.token });
    expect(await waitForEnd(id, viewer)).toBe("cancelled");
  });

  it("refuses bad input with a clear 4xx", async () => {
    const { roomId, owner } = await roomWithMembers();
    const id = await startTerminal(roomId, owner);
    const input = (body: unknown) => api("POST", `/api/v1/rooms/${roomId}/terminal/input`, { token: owner.token, body });
    const cases: Array<[unknown, number, string]> = [
      [{ data: "x" }, 400, "invalid_request"],
      [{ terminalId: "nope", data: "x" }, 400, "invalid_request"],
      [{ terminalId: id }, 400, "invalid_request"],
      [{ terminalId: id, cols: 80 }, 400, "invalid_request"],
      [{ terminalId: id, cols: 5000, rows: 20 }, 400, "invalid_request"],
      [{ terminalId: id, data: "x".repeat(17 * 1024) }, 400, "invalid_request"],
      [{ terminalId: id, data: "x", extra: 1 }, 400, "invalid_request"],
      [{ terminalId: "00000000-0000-4000-8000-000000000000", data: "x" }, 404, "no_terminal"],
    ];
    for (const [body, status, code] of cases) {
      const res = await input(body);
      expect([res.status, res.json?.error?.code], JSON.stringify(body).slice(0, 80)).toEqual([status, code]);
      expect(res.json.error.message.length).toBeGreaterThan(10);
    }
    await api("DELETE", `/api/v1/rooms/${roomId}/terminal`, { token: owner.token });
    const ended = await input({ terminalId: id, data: "x" });
    expect([ended.status, ended.json.error.code]).toEqual([404, "no_terminal"]);
  });
});

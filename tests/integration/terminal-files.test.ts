import { afterAll, describe, expect, inject, it } from "vitest";
import { listFiles } from "../../lib/rooms/document";
import { createRedis } from "../../lib/redis/connection";
import { api } from "../support/api";
import { connectRoom, roomToken, roomWithMembers } from "../support/rooms";
import { startTerminal, typeInto, waitForOutput, waitForPrompt } from "../support/terminals";

/**
 * "Keep these files": the route lists what the terminal's project folder holds
 * that differs from the room (text files only, by the room's path rules) and
 * changes nothing in the room itself.
 */
const redis = createRedis(inject("redisUrl"));
afterAll(() => redis.quit());

describe("a terminal's files", () => {
  it("lists new and changed text files, leaves out the rest, and never touches the room by itself", async () => {
    const { roomId, owner, editor, viewer, outsider } = await roomWithMembers();
    const id = await startTerminal(roomId, editor);
    await waitForPrompt(redis, id);
    await typeInto(
      roomId,
      editor,
      id,
      "printf 'print(2)\\n' > main.py; echo new > notes.txt; mkdir -p d && echo deep > d/x.txt; head -c 64 /dev/zero > bin.dat; ln -s /etc/passwd link; echo D$((0))ONE\r",
    );
    await waitForOutput(redis, id, "D0ONE");

    const route = `/api/v1/rooms/${roomId}/terminal/files`;
    expect((await api("POST", route, { body: { terminalId: id } })).status).toBe(401);
    expect((await api("POST", route, { token: outsider.token, body: { terminalId: id } })).status).toBe(404);
    expect((await api("POST", route, { token: viewer.token, body: { terminalId: id } })).status).toBe(403);
    const wrong = await api("POST", route, { token: editor.token, body: { terminalId: "00000000-0000-4000-8000-000000000000" } });
    expect([wrong.status, wrong.json.error.code]).toEqual([404, "no_terminal"]);
    expect((await api("POST", route, { token: editor.token, body: {} })).status).toBe(400);

    const res = await api("POST", route, { token: editor.token, body: { terminalId: id } });
    expect(res.status).toBe(200);
    const byPath = Object.fromEntries(res.json.files.map((f: { path: string }) => [f.path, f]));
    expect(byPath["main.py"]).toEqual({ path: "main.py", content: "print(2)\n", change: "changed" });
    expect(byPath["notes.txt"]).toEqual({ path: "notes.txt", content: "new\n", change: "new" });
    expect(byPath["d/x.txt"]).toEqual({ path: "d/x.txt", content: "deep\n", change: "new" });
    expect(Object.keys(byPath).sort()).toEqual(["d/x.txt", "main.py", "notes.txt"]);
    const skipped = Object.fromEntries(res.json.skipped.map((s: { path: string; reason: string }) => [s.path, s.reason]));
    expect(skipped).toMatchObject({ "bin.dat": "not text", link: "not a regular file" });
    // The terminal's own screen shows nothing of it.
    expect(await waitForOutput(redis, id, "D0ONE")).not.toContain("SAMFILES");

    // The room is as it was: keeping is the page's edit, made only when someone chooses to.
    const client = connectRoom(roomId, () => roomToken(roomId, owner));
    try {
      await client.synced;
      expect(listFiles(client.doc).map((f) => [f.path, f.content.includes("print(2)")])).toEqual([["main.py", false]]);
    } finally {
      client.destroy();
    }
    await api("DELETE", `/api/v1/rooms/${roomId}/terminal`, { token: owner.token });
  });
});

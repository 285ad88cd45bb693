import { randomInt } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createRedis } from "../../lib/redis/connection";
import { api } from "../support/api";
import { hostProcessesWith } from "../support/attack-suite";
import { eventually, roomWithMembers } from "../support/rooms";
import { startWeb } from "../support/shared-backing";
import type { RunningService } from "../support/stack";
import { startTerminal, terminalOutput, typeInto, waitForEnd, waitForOutput, waitForPrompt } from "../support/terminals";

/**
 * Attack: a terminal outliving its session. Nothing the shell starts (even
 * in its own session, in the background, ignoring hangups) survives Stop, the
 * idle timeout, the maximum length, the room's deletion or its starter losing
 * the role. A web process of its own with short terminal settings.
 */
const IDLE_SECONDS = 8;
const MAX_SECONDS = 30;
const redis = createRedis(inject("redisUrl"));
let web: RunningService;
beforeAll(async () => {
  web = await startWeb({ SAM_COLLAB_URL: inject("collabUrl"), SAM_TERMINAL_IDLE_SECONDS: String(IDLE_SECONDS), SAM_TERMINAL_MAX_SECONDS: String(MAX_SECONDS) });
});
afterAll(async () => {
  await web?.stop();
  await redis.quit();
});

/** A terminal with a process hiding in the background: `sleep <marker>` in its own session, immune to hangups. */
async function terminalWithLeftover(who: "owner" | "editor" = "editor") {
  const room = await roomWithMembers();
  const user = room[who];
  const id = await startTerminal(room.roomId, user, web.url);
  await waitForPrompt(redis, id);
  const seconds = `9${randomInt(100000, 999999)}`;
  await typeInto(
    room.roomId,
    user,
    id,
    `setsid nohup sleep ${seconds} >/dev/null 2>&1 & disown; (trap '' HUP; sleep ${seconds}) & disown; echo B$((0))G\r`,
    web.url,
  );
  await waitForOutput(redis, id, "B0G");
  const marker = `sleep ${seconds}`;
  await eventually("the hidden processes to run", () => hostProcessesWith(marker).length >= 2, 30_000);
  return { ...room, id, marker };
}

const gone = (marker: string) => eventually(`every "${marker}" to be gone`, () => hostProcessesWith(marker).length === 0, 30_000);

describe("attack: a terminal outliving its session", () => {
  it("Stop ends every process it started", async () => {
    const t = await terminalWithLeftover();
    expect((await api("DELETE", `/api/v1/rooms/${t.roomId}/terminal`, { token: t.editor.token, base: web.url })).status).toBe(200);
    expect(await waitForEnd(t.id, t.viewer)).toBe("cancelled");
    await gone(t.marker);
  });

  it("the idle timeout ends it, and everything in it, when nobody types", async () => {
    const t = await terminalWithLeftover();
    expect(await waitForEnd(t.id, t.viewer, (IDLE_SECONDS + 60) * 1000)).toBe("cancelled");
    expect(await terminalOutput(redis, t.id)).toContain(`[terminal closed: no input for ${IDLE_SECONDS} seconds]`);
    await gone(t.marker);
  });

  it("the maximum length ends it even while someone keeps typing", async () => {
    const t = await terminalWithLeftover();
    let status = "running";
    const started = Date.now();
    while (status === "running" && Date.now() - started < (MAX_SECONDS + 90) * 1000) {
      await typeInto(t.roomId, t.editor, t.id, "true\r", web.url);
      await new Promise((r) => setTimeout(r, 2000));
      status = (await api("GET", `/api/v1/executions/${t.id}`, { token: t.viewer.token })).json.status;
    }
    expect(status).toBe("time_limit_exceeded");
    await gone(t.marker);
  }, 200_000);

  it("deleting the room ends its terminal", async () => {
    const t = await terminalWithLeftover();
    expect((await api("DELETE", `/api/v1/rooms/${t.roomId}`, { token: t.owner.token, base: web.url })).status).toBe(204);
    await gone(t.marker);
    expect((await api("GET", `/api/v1/executions/${t.id}`, { token: t.editor.token })).status).toBe(404);
  });

  it("removing the member who started it ends it; so does making them a viewer", async () => {
    const removed = await terminalWithLeftover("editor");
    const res = await api("DELETE", `/api/v1/rooms/${removed.roomId}/members/${removed.editor.id}`, { token: removed.owner.token, base: web.url });
    expect(res.status).toBe(204);
    expect(await waitForEnd(removed.id, removed.owner)).toBe("cancelled");
    expect(await terminalOutput(redis, removed.id)).toContain("can no longer use this room's terminal");
    await gone(removed.marker);

    const demoted = await terminalWithLeftover("editor");
    const patched = await api("PATCH", `/api/v1/rooms/${demoted.roomId}/members/${demoted.editor.id}`, {
      token: demoted.owner.token,
      body: { role: "viewer" },
      base: web.url,
    });
    expect(patched.status).toBe(200);
    expect(await waitForEnd(demoted.id, demoted.owner)).toBe("cancelled");
    await gone(demoted.marker);
    // Nor can they type into a new one.
    const fresh = await startTerminal(demoted.roomId, demoted.owner, web.url);
    expect((await typeInto(demoted.roomId, demoted.editor, fresh, "echo x\r", web.url)).status).toBe(403);
    await api("DELETE", `/api/v1/rooms/${demoted.roomId}/terminal`, { token: demoted.owner.token, base: web.url });
  });
});

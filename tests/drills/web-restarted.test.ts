import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { api } from "../support/api";
import type { RunningService } from "../support/stack";
import { DrillStack, registerOn, report, sleep } from "./drill-stack";

/**
 * Drill: the web process restarted while people follow runs' events
 * (server-sent events). Each follower reconnects as a browser's EventSource
 * does, with the id of the last event it got in Last-Event-ID, and in the
 * end holds each run's output exactly (nothing missed, nothing twice) and
 * its result. The new web process listens on another port here (the test
 * picks free ports); behind a proxy or on a fixed port nothing else differs.
 */
const CAPS = { SAM_MAX_QUEUED_RUNS_PER_USER: "1000", SAM_MAX_RUNNING_RUNS_PER_USER: "100", SAM_MAX_EVENT_STREAMS_PER_USER: "100" };
const RUNS = 3;
const FOLLOWERS_PER_RUN = 2;
// ~12 s a run: longer than the web process's drain on SIGTERM (5 s), so its streams are cut.
const LINES = 60;
const PROGRAM = `import sys, time\nfor i in range(${LINES}):\n    print(f"line {i}", flush=True)\n    time.sleep(0.2)\n`;
const EXPECTED = Array.from({ length: LINES }, (_, i) => `line ${i}\n`).join("");

let stack: DrillStack;
beforeAll(async () => {
  stack = await DrillStack.start();
});
afterAll(async () => {
  await stack?.stop();
});

interface Follower {
  stdout: string;
  result?: { status: string; stdout: string };
  reconnects: number;
  /** Longest time without a stream, from a drop to the next stream answering. */
  longestGapMs: number;
}

/** Follows one run's events to its result, reconnecting with Last-Event-ID whenever the stream breaks. */
async function follow(base: () => string, id: string, token: string): Promise<Follower> {
  const f: Follower = { stdout: "", reconnects: -1, longestGapMs: 0 };
  let lastId: string | undefined;
  let droppedAt: number | undefined;
  while (!f.result) {
    try {
      const res = await fetch(`${base()}/api/v1/executions/${id}/events`, {
        headers: { authorization: `Bearer ${token}`, ...(lastId ? { "last-event-id": lastId } : {}) },
      });
      if (res.status !== 200) throw new Error(`events: ${res.status}`);
      f.reconnects += 1;
      if (droppedAt !== undefined) f.longestGapMs = Math.max(f.longestGapMs, Date.now() - droppedAt);
      droppedAt = undefined;
      const decoder = new TextDecoder();
      let buffer = "";
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string) =>
            block
              .split("\n")
              .filter((l) => l.startsWith(`${name}:`))
              .map((l) => l.slice(name.length + 1).replace(/^ /, ""));
          const [event] = field("event");
          const data = field("data").join("\n");
          const [eventId] = field("id");
          if (event === "stdout") f.stdout += JSON.parse(data) as string;
          if (event === "result") f.result = JSON.parse(data);
          if (eventId) lastId = eventId;
        }
      }
    } catch {
      /* the stream broke or the web process is down: reconnect */
    }
    droppedAt ??= Date.now();
    if (!f.result) await sleep(200);
  }
  return f;
}

describe("drill: the web process restarted while clients follow a run", () => {
  it("followers resume with Last-Event-ID and miss nothing", async () => {
    let web: RunningService = await stack.web(CAPS);
    await stack.service("runner/main.ts", { SAM_SANDBOX_DIR: inject("sandboxDir"), SAM_SANDBOX_DRIVER: "oci", SAM_RUNNER_CONCURRENCY: "3", ...CAPS });
    const user = await registerOn(web);
    const ids: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const res = await api("POST", "/api/v1/executions", {
        base: web.url,
        token: user.token,
        body: { language: "python", files: [{ name: "main.py", content: PROGRAM }], limits: { wallTimeMs: 30_000 } },
      });
      expect(res.status, res.text).toBe(202);
      ids.push(res.json.id);
    }
    const base = () => web.url;
    const following = ids.flatMap((id) => Array.from({ length: FOLLOWERS_PER_RUN }, () => follow(base, id, user.token)));
    // Some output has been followed: restart the web process.
    const db = stack.database();
    while ((await db.execution.count({ where: { id: { in: ids }, status: "running" } })) < RUNS) await sleep(100);
    await sleep(1500);
    const stoppedAt = Date.now();
    await web.stop();
    web = await stack.web(CAPS);
    const restartMs = Date.now() - stoppedAt;
    const followers = await Promise.all(following);

    const missed = followers.filter((f) => f.stdout !== EXPECTED || f.result?.stdout !== EXPECTED).length;
    report("web restarted", {
      runs: RUNS,
      followers: followers.length,
      results: followers.filter((f) => f.result?.status === "succeeded").length,
      missedOrDuplicated: missed,
      reconnects: followers.reduce((s, f) => s + f.reconnects, 0),
      webRestartMs: restartMs,
      longestGapMs: Math.max(...followers.map((f) => f.longestGapMs)),
    });
    expect(followers.map((f) => f.result?.status)).toEqual(followers.map(() => "succeeded"));
    for (const f of followers) {
      // Each follower lost its stream to the restart and resumed.
      expect(f.reconnects).toBeGreaterThan(0);
      expect(f.stdout).toBe(EXPECTED);
      expect(f.result).toMatchObject({ status: "succeeded", stdout: EXPECTED });
    }
  }, 300_000);
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, registerUser, webUrl } from "../support/api";
import { startBacking, startService, type Backing, type RunningService } from "../support/stack";

let token: string;
beforeAll(async () => {
  token = (await registerUser()).token;
});

const run = (body: unknown, query = "") => api("POST", `/api/v1/executions${query}`, { body, token });
const hello = { language: "python", files: [{ name: "main.py", content: "print('hello')" }] };

function expectError(res: { status: number; json: any }, status: number, code: string, mentions?: string) {
  expect({ status: res.status, code: res.json?.error?.code }).toEqual({ status, code });
  if (mentions) expect(res.json.error.message).toContain(mentions);
}

/** Reads a server-sent-events response to its end: [{event, data}]. */
async function readSse(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(webUrl() + path, { headers: { authorization: `Bearer ${token}`, ...headers } });
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((block) => block.includes("event:"))
    .map((block) => {
      const event = block.match(/^event: (.*)$/m)![1]!;
      const data = block.match(/^data: (.*)$/m)![1]!;
      return { event, data: JSON.parse(data) };
    });
}

describe("GET /api/v1/runtimes", () => {
  it("lists the verified languages with versions and aliases", async () => {
    const res = await api("GET", "/api/v1/runtimes", { token });
    expect(res.status).toBe(200);
    const names = res.json.map((r: { language: string }) => r.language);
    expect(names).toEqual(["bash", "c", "cpp", "java", "javascript", "python"]);
    const python = res.json.find((r: { language: string }) => r.language === "python");
    expect(python.version).toMatch(/^3\.\d+\.\d+$/);
    expect(python.aliases).toContain("py");
  });

  it("needs a token", async () => {
    expectError(await api("GET", "/api/v1/runtimes"), 401, "unauthorized");
  });
});

describe("POST /api/v1/executions", () => {
  it("queues a run: 202 {id, status: queued}, then GET shows the finished execution", async () => {
    const res = await run(hello);
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ id: expect.any(String), status: "queued" });
    let view: any;
    for (let i = 0; i < 100; i++) {
      view = (await api("GET", `/api/v1/executions/${res.json.id}`, { token })).json;
      if (!["queued", "running"].includes(view.status)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(view).toMatchObject({ id: res.json.id, status: "succeeded", language: "python", stdout: "hello\n", exitCode: 0, truncated: false, attempts: 1 });
    for (const key of ["version", "cpuTimeMs", "wallTimeMs", "memoryKb", "createdAt", "startedAt", "finishedAt"]) expect(view[key]).not.toBeNull();
    expect(view).toHaveProperty("signal", null);
    expect(view).toHaveProperty("compileOutput", null);
  });

  it("?wait=true answers 200 with the finished execution; aliases, stdin and args work", async () => {
    const res = await run(
      { language: "py", files: [{ name: "main.py", content: "import sys\nprint(sys.argv[1:], input())" }], stdin: "typed\n", args: ["a b"] },
      "?wait=true",
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: "succeeded", language: "python", stdout: "['a b'] typed\n" });
  });

  it("reports compile errors with the compiler's output", async () => {
    const res = await run({ language: "c", files: [{ name: "main.c", content: "int main(void) { return nope; }" }] }, "?wait=true");
    expect(res.json.status).toBe("compile_error");
    expect(res.json.compileOutput).toContain("nope");
  });

  it("a request may lower its limits", async () => {
    const res = await run({ language: "bash", files: [{ name: "main.sh", content: "sleep 30" }], limits: { wallTimeMs: 1000 } }, "?wait=true");
    expect(res.json.status).toBe("time_limit_exceeded");
  });

  it.each([
    ["an unknown language, listing the valid ones", { ...hello, language: "cobol" }, 400, "unknown_language", "python"],
    ["no files", { language: "python", files: [] }, 400, "invalid_request", "at least one file"],
    ["an absolute file name", { language: "python", files: [{ name: "/etc/passwd", content: "" }] }, 400, "invalid_request", "relative"],
    ["a name with ..", { language: "python", files: [{ name: "a/../../x.py", content: "" }] }, 400, "invalid_request", ".."],
    ["a name with NUL", { language: "python", files: [{ name: "a\u0000b", content: "" }] }, 400, "invalid_request", "NUL"],
    ["a name with a backslash", { language: "python", files: [{ name: "a\\b.py", content: "" }] }, 400, "invalid_request", "backslash"],
    [
      "duplicate names",
      {
        language: "python",
        files: [
          { name: "a.py", content: "" },
          { name: "a.py", content: "" },
        ],
      },
      400,
      "duplicate_file",
      "a.py",
    ],
    [
      "more than 100 files",
      { language: "python", files: Array.from({ length: 101 }, (_, i) => ({ name: `f${i}.py`, content: "" })) },
      400,
      "invalid_request",
      "100",
    ],
    ["more than 1 MiB of source", { language: "python", files: [{ name: "main.py", content: "#".repeat(1024 * 1024 + 1) }] }, 413, "source_too_large", "1 MiB"],
    ["stdin over 1 MiB", { ...hello, stdin: "x".repeat(1024 * 1024 + 1) }, 413, "stdin_too_large", "1 MiB"],
    ["a negative limit", { ...hello, limits: { memoryMb: -1 } }, 400, "invalid_request", "greater than 0"],
    ["a limit above the maximum, naming it", { ...hello, limits: { wallTimeMs: 10_000_000 } }, 400, "limit_too_high", "limits.wallTimeMs may be at most"],
    ["an unknown limit", { ...hello, limits: { gpus: 1 } }, 400, "invalid_request", "gpus"],
    ["args that are not strings", { ...hello, args: [1] }, 400, "invalid_request", "args"],
  ])("refuses %s", async (_label, body, status, code, mentions) => {
    expectError(await run(body), status as number, code as string, mentions as string);
  });

  it("refuses malformed JSON and a missing token", async () => {
    expectError(await api("POST", "/api/v1/executions", { rawBody: '{"language":', token }), 400, "malformed_json");
    expectError(await api("POST", "/api/v1/executions", { body: hello }), 401, "unauthorized");
  });
});

describe("GET /api/v1/executions", () => {
  it("lists the caller's own runs, newest first, without output", async () => {
    const mine = await registerUser();
    const first = await api("POST", "/api/v1/executions?wait=true", { body: hello, token: mine.token });
    const second = await api("POST", "/api/v1/executions?wait=true", { body: hello, token: mine.token });
    const list = await api("GET", "/api/v1/executions", { token: mine.token });
    expect(list.json.executions.map((e: { id: string }) => e.id)).toEqual([second.json.id, first.json.id]);
    expect(list.json.executions[0]).not.toHaveProperty("stdout");
    expect((await api("GET", "/api/v1/executions?limit=0", { token: mine.token })).status).toBe(400);
  });
});

describe("GET /api/v1/executions/:id/events", () => {
  it("streams status, stdout and stderr live, then the result; a late client gets it all replayed", async () => {
    const res = await run({
      language: "python",
      files: [
        { name: "main.py", content: "import sys, time\nfor i in range(3):\n    print(i, flush=True)\n    time.sleep(0.2)\nprint('oops', file=sys.stderr)" },
      ],
    });
    const live = await readSse(`/api/v1/executions/${res.json.id}/events`);
    const kinds = live.map((e) => e.event);
    expect(kinds[kinds.length - 1]).toBe("result");
    expect(kinds).toContain("status");
    expect(
      live
        .filter((e) => e.event === "stdout")
        .map((e) => e.data)
        .join(""),
    ).toBe("0\n1\n2\n");
    expect(
      live
        .filter((e) => e.event === "stderr")
        .map((e) => e.data)
        .join(""),
    ).toBe("oops\n");
    expect(live.at(-1)!.data).toMatchObject({ id: res.json.id, status: "succeeded", stdout: "0\n1\n2\n" });
    const late = await readSse(`/api/v1/executions/${res.json.id}/events`);
    expect(
      late
        .filter((e) => e.event === "stdout")
        .map((e) => e.data)
        .join(""),
    ).toBe("0\n1\n2\n");
    expect(late.at(-1)!.event).toBe("result");
  });
});

describe("ownership and cancelling", () => {
  it("another user gets 404 for someone else's execution, its events and its cancel", async () => {
    const res = await run(hello, "?wait=true");
    const other = await registerUser();
    for (const [method, path] of [
      ["GET", ""],
      ["GET", "/events"],
      ["DELETE", ""],
    ] as const) {
      expectError(await api(method, `/api/v1/executions/${res.json.id}${path}`, { token: other.token }), 404, "not_found");
    }
    expectError(await api("GET", "/api/v1/executions/not-a-uuid", { token }), 404, "not_found");
  });

  it("DELETE cancels a running execution and kills its program", async () => {
    const res = await run({ language: "bash", files: [{ name: "main.sh", content: "echo started; sleep 30; echo never" }] });
    for (let i = 0; i < 100; i++) {
      if ((await api("GET", `/api/v1/executions/${res.json.id}`, { token })).json.status === "running") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const cancelled = await api("DELETE", `/api/v1/executions/${res.json.id}`, { token });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.status).toBe("cancelled");
    const events = await readSse(`/api/v1/executions/${res.json.id}/events`);
    expect(events.at(-1)!.data.status).toBe("cancelled");
    expect(
      events
        .filter((e) => e.event === "stdout")
        .map((e) => e.data)
        .join(""),
    ).not.toContain("never");
    expectError(await api("DELETE", `/api/v1/executions/${(await run(hello, "?wait=true")).json.id}`, { token }), 409, "already_finished");
  });
});

describe("rate limiting runs", () => {
  let backing: Backing;
  let web: RunningService;
  beforeAll(async () => {
    backing = await startBacking();
    web = await startService("web/server.ts", backing, { SAM_RUNS_PER_MINUTE: "2" });
  });
  afterAll(async () => {
    await web?.stop();
    await backing?.stop();
  });

  it("answers 429 with Retry-After once a user started too many runs", async () => {
    const reg = await (
      await fetch(`${web.url}/api/v1/auth/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "ratelimited", password: "a long enough password" }),
      })
    ).json();
    // This stack has no runner: runs are refused with 503 before the limit is spent, so publish a fake runtime first.
    const { createRedis } = await import("../../lib/redis/connection");
    const { publishRuntimes } = await import("../../lib/executions/runtimes");
    const redis = createRedis(backing.redisUrl);
    await publishRuntimes(redis, "test-runner", [{ language: "python", version: "3", aliases: [], limits: {} }]);
    redis.disconnect();
    const post = () =>
      fetch(`${web.url}/api/v1/executions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${reg.token}` },
        body: JSON.stringify(hello),
      });
    expect((await post()).status).toBe(202);
    expect((await post()).status).toBe(202);
    const third = await post();
    expect(third.status).toBe(429);
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await third.json()).error.code).toBe("rate_limited");
  });
});

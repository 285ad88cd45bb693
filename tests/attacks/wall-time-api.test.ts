import { describe, expect, it } from "vitest";
import { LIMIT_NAMES, MINIMUM_LIMITS } from "../../lib/executions/limits";
import { api, registerUser } from "../support/api";

/**
 * Issue #9 item 1, as it was reported, through the public API: two runs with
 * an unusual set of limits (so no container was started ahead for it), a tiny
 * wall time and `sleep infinity` stayed `running` for ever and took the
 * runner's slots; a hello world after them was never served.
 */
describe("attack: sleeping runs with a tiny wall time and unusual limits (API)", () => {
  it("end time_limit_exceeded, and the next run is served", async () => {
    const { token } = await registerUser();
    const sleeper = {
      language: "bash",
      files: [{ name: "main.sh", content: "sleep infinity" }],
      limits: { wallTimeMs: MINIMUM_LIMITS.wallTimeMs, memoryMb: 251 },
    };
    const runs = await Promise.all([1, 2].map(() => api("POST", "/api/v1/executions?wait=true", { body: sleeper, token })));
    expect(runs.map((r) => [r.status, r.json?.status])).toEqual([
      [200, "time_limit_exceeded"],
      [200, "time_limit_exceeded"],
    ]);
    const hello = await api("POST", "/api/v1/executions?wait=true", {
      body: { language: "python", files: [{ name: "main.py", content: "print('hello')" }] },
      token,
    });
    expect(hello.json).toMatchObject({ status: "succeeded", stdout: "hello\n" });
  });

  it("the reported limits themselves ({wallTimeMs: 1, memoryMb: 251}) are refused: 1 ms is below the minimum wall time", async () => {
    const { token } = await registerUser();
    const res = await api("POST", "/api/v1/executions", {
      body: { language: "bash", files: [{ name: "main.sh", content: "sleep infinity" }], limits: { wallTimeMs: 1, memoryMb: 251 } },
      token,
    });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("limit_too_low");
  });

  const raised = LIMIT_NAMES.filter((name) => MINIMUM_LIMITS[name] > 1);
  it.each(raised)("%s below its minimum is refused with 400 limit_too_low, naming the limit and the minimum", async (name) => {
    const { token } = await registerUser();
    const body = { language: "bash", files: [{ name: "main.sh", content: "sleep infinity" }], limits: { [name]: MINIMUM_LIMITS[name] - 1 } };
    const res = await api("POST", "/api/v1/executions", { body, token });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("limit_too_low");
    expect(res.json.error.message).toContain(`limits.${name} must be at least ${MINIMUM_LIMITS[name]}`);
  });

  it("the minimums are accepted and a program runs within them", async () => {
    const { token } = await registerUser();
    // The wall time at its minimum is the first test's; here the program must finish, on a machine busy with other tests.
    const limits = { ...MINIMUM_LIMITS, wallTimeMs: 10_000 };
    const res = await api("POST", "/api/v1/executions?wait=true", {
      body: { language: "python", files: [{ name: "main.py", content: "print('small')" }], limits },
      token,
    });
    expect(res.json).toMatchObject({ status: "succeeded", stdout: "small\n" });
  });
});

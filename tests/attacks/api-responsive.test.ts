import { describe, expect, it } from "vitest";
import { api, registerUser, webUrl } from "../support/api";

/** Attacks sent through the public API, as a stranger would, while the API keeps answering. */
describe("attack: the API stays responsive while attacks run", () => {
  it("fork bomb, CPU spin, memory bomb and output flood at once; every health check answers meanwhile", async () => {
    const { token } = await registerUser();
    const attacks = [
      { language: "bash", files: [{ name: "main.sh", content: "b() { b | b & }; b; sleep 10" }], limits: { wallTimeMs: 4000 } },
      { language: "c", files: [{ name: "main.c", content: "int main(void){ for(;;); }" }], limits: { cpuTimeMs: 2000 } },
      { language: "python", files: [{ name: "main.py", content: "a=[]\nwhile True: a.append(bytearray(1<<24))" }] },
      { language: "python", files: [{ name: "main.py", content: "while True: print('x' * 4096)" }] },
    ];
    let running = true;
    const checks: number[] = [];
    const prober = (async () => {
      while (running) {
        const started = Date.now();
        const res = await fetch(`${webUrl()}/api/v1/health`, { signal: AbortSignal.timeout(15_000) });
        checks.push(res.status);
        await new Promise((r) => setTimeout(r, Math.max(0, 200 - (Date.now() - started))));
      }
    })();
    const results = await Promise.all(attacks.map((body) => api("POST", "/api/v1/executions?wait=true", { body, token })));
    running = false;
    await prober;
    expect(results.map((r) => r.json.status)).toEqual([
      expect.stringMatching(/time_limit_exceeded|failed|succeeded/),
      "time_limit_exceeded",
      "memory_limit_exceeded",
      "output_limit_exceeded",
    ]);
    expect(checks.length).toBeGreaterThan(3);
    expect(checks.every((s) => s === 200)).toBe(true);
  });
});

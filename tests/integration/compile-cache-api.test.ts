import { randomBytes } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { api, registerUser } from "../support/api";
import { scrapeOk, sumOf } from "../support/prometheus";
import { eventually } from "../support/rooms";

const runner = () => inject("runnerUrl");
const hits = async () => sumOf(await scrapeOk(runner()), "sam_compile_cache_lookups_total", { language: "c", result: "hit" });
const stored = async () => sumOf(await scrapeOk(runner()), "sam_compile_cache_fills_total", { language: "c", result: "stored" });

/** The compile cache as a person sees it through the API (the stack's runner has it on, as by default). */
describe("compiled runs through the API with the compile cache", () => {
  it("a second identical C run comes from the cached build: the same output and compiler output, from another account too", async () => {
    const [alice, bob] = [await registerUser(), await registerUser()];
    const source = `#include <stdio.h>\n#warning "api ${randomBytes(4).toString("hex")}"\nint main(void) { puts("from C"); return 0; }\n`;
    const body = { language: "c", files: [{ name: "main.c", content: source }] };
    const storedBefore = await stored();
    const first = await api("POST", "/api/v1/executions?wait=true", { token: alice.token, body });
    expect(first.json.status).toBe("succeeded");
    expect(first.json.compileOutput).toContain("#warning");
    await eventually("the runner stored the build", async () => (await stored()) > storedBefore);

    const hitsBefore = await hits();
    // Identical sources give identical builds: the same build serves another account.
    const second = await api("POST", "/api/v1/executions?wait=true", { token: bob.token, body });
    expect(await hits()).toBe(hitsBefore + 1);
    expect(second.json.status).toBe("succeeded");
    expect(second.json.stdout).toBe(first.json.stdout);
    expect(second.json.compileOutput).toBe(first.json.compileOutput);
    expect(second.json.exitCode).toBe(first.json.exitCode);
  });
});

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../lib/config/env";
import { ROOT, tempDir } from "../support/stack";

describe("configuration", () => {
  it("has the documented defaults", () => {
    const config = loadConfig({}, "/srv/sam");
    expect(config.PORT).toBe(8080);
    expect(config.HOST).toBe("127.0.0.1");
    expect(config.dataDir).toBe("/srv/sam/data");
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.publicUrl).toBe("http://127.0.0.1:8080");
    expect(config.githubOAuth).toBeUndefined();
  });

  it.each([
    [{ PORT: "abc" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ HOST: "" }, "HOST"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ REDIS_URL: "not a url" }, "REDIS_URL"],
    [{ SAM_SECRET: "too-short" }, "SAM_SECRET"],
    [{ SAM_TRUST_PROXY: "maybe" }, "SAM_TRUST_PROXY"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ SAM_LOGIN_WINDOW_SECONDS: "-5" }, "SAM_LOGIN_WINDOW_SECONDS"],
    [{ GITHUB_ID: "only-the-id" }, "GITHUB_SECRET"],
  ])("refuses %o, naming %s", (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });

  it("never echoes a secret or a connection string in its error", () => {
    const secret = "short-secret-value";
    const err = (() => {
      try {
        loadConfig({ SAM_SECRET: secret, DATABASE_URL: "mysql://user:hunter2@db/x" });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toContain("SAM_SECRET");
    expect(err?.message).not.toContain(secret);
    expect(err?.message).not.toContain("hunter2");
  });

  it.each(["supervisor/main.ts", "web/server.ts", "collab/main.ts", "runner/main.ts"])("%s stops at start-up with a message naming a bad variable", (entry) => {
    const result = spawnSync(process.execPath, ["--import", "tsx", entry], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, PORT: "eighty", SAM_DATA_DIR: tempDir() } as unknown as NodeJS.ProcessEnv,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("PORT must be a number");
    expect(result.stderr).toContain('"eighty"');
  });
});

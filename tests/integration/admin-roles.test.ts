import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { afterAll, describe, expect, inject, it } from "vitest";
import { systemRoleOf } from "../../lib/accounts/system-roles";
import { insertUser } from "../../lib/accounts/users";
import { createDatabase } from "../../lib/db/client";
import { api, PASSWORD, registerUser, uniqueName } from "../support/api";
import { ROOT, startService, tempDir } from "../support/stack";

/**
 * How admins are made: `npm run admin -- grant|revoke|list` against the
 * database, and SAM_ADMINS applied by the web process at start (grants only,
 * only to accounts that exist; never revokes).
 */
const db = createDatabase(inject("databaseUrl"));
afterAll(async () => {
  await db.$disconnect();
});

function adminCli(...args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/admin.ts", ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      DATABASE_URL: inject("databaseUrl"),
      SAM_DATA_DIR: tempDir("sam-admin-cli-"),
    },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const roleOf = async (id: string) => systemRoleOf(db, id);

describe("npm run admin", () => {
  it("grants, lists and revokes by username (any case); the API follows on the next request", async () => {
    const person = await registerUser();
    expect((await api("GET", "/api/v1/admin/queue", { token: person.token })).status).toBe(403);

    const granted = adminCli("grant", person.username.toUpperCase());
    expect(granted).toMatchObject({ code: 0 });
    expect(granted.stderr).toContain("is an admin");
    expect(await roleOf(person.id)).toBe("admin");
    expect((await api("GET", "/api/v1/admin/queue", { token: person.token })).status).toBe(200);
    expect(adminCli("list").stdout.split("\n")).toContain(person.username);

    expect(adminCli("grant", person.username).stderr).toContain("already");
    expect(adminCli("revoke", person.username)).toMatchObject({ code: 0 });
    expect(await roleOf(person.id)).toBe("user");
    expect((await api("GET", "/api/v1/admin/queue", { token: person.token })).status).toBe(403);
    expect(adminCli("list").stdout.split("\n")).not.toContain(person.username);
  }, 120_000);

  it("says what is wrong: an unknown account (exit 3), a wrong command (exit 2, usage)", async () => {
    const unknown = adminCli("grant", uniqueName("nobody"));
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain("No account is named");
    for (const args of [[], ["grant"], ["promote", "x"], ["list", "x"], ["grant", "a", "b"]]) {
      const bad = adminCli(...args);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("Usage: npm run admin --");
    }
  }, 120_000);
});

describe("SAM_ADMINS", () => {
  it("a starting web process grants the named accounts that exist, leaves out (and logs) the others, and revokes nobody", async () => {
    // Accounts made straight in the database (they never sign in here): no request to the suite's web.
    const [named, alreadyAdmin] = await Promise.all([insertUser(db, uniqueName(), "unused"), insertUser(db, uniqueName(), "unused")]);
    await db.user.update({ where: { id: alreadyAdmin.id }, data: { systemRole: "admin" } });
    const missing = uniqueName("ghost");
    const dataDir = tempDir("sam-admins-web-");
    const backing = { dataDir, databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl"), stop: async () => undefined };
    const web = await startService("web/server.ts", backing, { SAM_ADMINS: ` ${named.username} , ${missing},` });
    try {
      expect(await roleOf(named.id)).toBe("admin");
      // Not in the list: keeps the role (only `npm run admin -- revoke` takes it away).
      expect(await roleOf(alreadyAdmin.id)).toBe("admin");
      const log = fs.readFileSync(web.logFile, "utf8");
      expect(log).toContain(missing);
      expect(log).toContain("SAM_ADMINS names accounts that do not exist");
      // Nobody may sign up under the missing name while it is listed (the next start would make them admin:
      // tests/attacks/admin-name-squatting.test.ts).
      const late = await api("POST", "/api/v1/auth/register", { base: web.url, body: { username: missing, password: PASSWORD } });
      expect(late.status).toBe(409);
      expect(late.json.error.code).toBe("username_taken");
    } finally {
      await web.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});

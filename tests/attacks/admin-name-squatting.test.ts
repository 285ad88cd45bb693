import fs from "node:fs";
import { afterAll, describe, expect, inject, it } from "vitest";
import { userForOAuth } from "../../lib/accounts/oauth";
import { usernameKey } from "../../lib/accounts/credentials";
import { createDatabase } from "../../lib/db/client";
import { api, PASSWORD, uniqueName } from "../support/api";
import { startService, tempDir } from "../support/stack";

/**
 * Attack: squatting a name SAM_ADMINS lists before its account exists. A
 * starting web process grants the named accounts that exist then and skips
 * the others; but the name was not reserved, so a stranger could sign up
 * under it (any case) and the next start of any web process (a deploy, a
 * crash, one more web process) made the stranger an admin. Now no new
 * account may take a listed name, by sign-up or by a GitHub sign-in.
 */
const db = createDatabase(inject("databaseUrl"));
afterAll(async () => {
  await db.$disconnect();
});

describe("a name SAM_ADMINS lists before its account exists", () => {
  it("cannot be signed up for (in any case), so no later start makes a stranger an admin", async () => {
    const listed = uniqueName("ops");
    const dataDir = tempDir("sam-admin-squat-");
    const backing = { dataDir, databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl"), stop: async () => undefined };
    const env = { SAM_ADMINS: listed };
    try {
      let web = await startService("web/server.ts", backing, env);
      try {
        const squat = await api("POST", "/api/v1/auth/register", { base: web.url, body: { username: listed.toUpperCase(), password: PASSWORD } });
        expect(squat.status).toBe(409);
        expect(squat.json.error.code).toBe("username_taken");
      } finally {
        await web.stop();
      }
      // The next start of a web process: had the stranger's account been made, this would make it an admin.
      web = await startService("web/server.ts", backing, env);
      await web.stop();
      const holder = await db.user.findUnique({ where: { usernameKey: usernameKey(listed) }, select: { systemRole: true } });
      expect(holder?.systemRole ?? "no account").not.toBe("admin");
      expect(holder).toBeNull();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);

  it("a GitHub sign-in whose login is a listed name gets another name", async () => {
    const listed = uniqueName("boss");
    const user = await userForOAuth(db, "github", `gh-${listed}`, listed, [listed.toUpperCase()]);
    expect(usernameKey(user.username)).not.toBe(usernameKey(listed));
    expect(user.username).toBe(`${listed}-2`);
  });
});

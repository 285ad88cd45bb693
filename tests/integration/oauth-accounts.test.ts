import { afterAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "../../lib/db/client";
import { userForOAuth } from "../../lib/accounts/oauth";
import { registerUser, uniqueName } from "../support/api";

describe("OAuth sign-in accounts", () => {
  const db = createDatabase(inject("databaseUrl"));
  afterAll(() => db.$disconnect());

  it("creates a local user on first sign-in and finds the same one afterwards", async () => {
    const login = uniqueName("octo");
    const id = `gh-${login}`;
    const first = await userForOAuth(db, "github", id, login);
    expect(first.username).toBe(login);
    const again = await userForOAuth(db, "github", id, "renamed-on-github");
    expect(again).toEqual(first);
  });

  it("picks a free, valid username when the provider's name is taken or invalid", async () => {
    const taken = await registerUser();
    const user = await userForOAuth(db, "github", `gh-${uniqueName()}`, taken.username);
    expect(user.username).toBe(`${taken.username}-2`);
    const odd = await userForOAuth(db, "github", `gh-${uniqueName()}`, "spaces and ünïcödé");
    expect(odd.username).toMatch(/^[A-Za-z0-9_-]{3,32}$/);
  });
});

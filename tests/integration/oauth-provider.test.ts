import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webUrl } from "../support/api";
import { startBacking, startService, type Backing, type RunningService } from "../support/stack";

describe("optional GitHub sign-in", () => {
  let backing: Backing;
  let withGitHub: RunningService;
  beforeAll(async () => {
    backing = await startBacking();
    withGitHub = await startService("web/server.ts", backing, { GITHUB_ID: "test-client-id", GITHUB_SECRET: "test-client-secret" });
  });
  afterAll(async () => {
    await withGitHub?.stop();
    await backing?.stop();
  });

  it("is offered when GITHUB_ID and GITHUB_SECRET are set", async () => {
    const providers = await (await fetch(`${withGitHub.url}/api/auth/providers`)).json();
    expect(Object.keys(providers).sort()).toEqual(["credentials", "github"]);
    expect(providers.github.callbackUrl).toBe(`${withGitHub.url}/api/auth/callback/github`);
    expect(await (await fetch(`${withGitHub.url}/signin`)).text()).toContain("Sign in with GitHub");
  });

  it("is absent otherwise", async () => {
    const providers = await (await fetch(`${webUrl()}/api/auth/providers`)).json();
    expect(Object.keys(providers)).toEqual(["credentials"]);
    expect(await (await fetch(`${webUrl()}/signin`)).text()).not.toContain("Sign in with GitHub");
  });

  it("the client secret never appears in what the server sends", async () => {
    const pages = await Promise.all(["/signin", "/api/auth/providers", "/api/auth/csrf"].map((p) => fetch(withGitHub.url + p).then((r) => r.text())));
    for (const body of pages) expect(body).not.toContain("test-client-secret");
  });
});

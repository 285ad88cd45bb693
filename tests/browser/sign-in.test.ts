import fs from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { useBrowser, watchedPage } from "../support/browser";
import { registerUser, uniqueIp, uniqueName, webUrl, PASSWORD } from "../support/api";
import { HOSTILE_CALLBACK_URLS } from "../support/hostile-callbacks";
import { ROOT } from "../support/stack";

const browser = useBrowser();

async function fillSignIn(page: import("playwright-core").Page, username: string, password: string) {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

describe("signing up, out and in through the web pages", () => {
  it("a new user signs up, lands in the workspace, signs out and signs in again", async () => {
    const context = await browser().newContext();
    const { page, problems } = await watchedPage(context);
    const username = uniqueName("Web");

    await page.goto(`${webUrl()}/`);
    await page.waitForURL(/\/signin\?callbackUrl=%2F$/);
    await page.getByRole("link", { name: "Create an account" }).click();
    await page.waitForURL(/\/signup/);
    await page.getByLabel("Username").fill(username);
    await page.locator("input[name=password]").fill(PASSWORD);
    await page.locator("input[name=confirm]").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();

    await page.waitForURL(`${webUrl()}/`);
    await expect.poll(() => page.getByTestId("signed-in-as").textContent()).toContain(username);
    fs.mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.screenshot({ path: path.join(ROOT, "test-results", "workspace.png") });

    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "next-auth.session-token");
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Lax");

    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(/\/signin/);
    await page.goto(`${webUrl()}/`);
    await page.waitForURL(/\/signin/);

    await fillSignIn(page, username, PASSWORD);
    await page.waitForURL(`${webUrl()}/`);
    await expect.poll(() => page.getByTestId("signed-in-as").textContent()).toContain(username);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("a wrong password shows a message and keeps the person on the sign-in page", async () => {
    const user = await registerUser();
    const context = await browser().newContext();
    const { page, problems } = await watchedPage(context);
    await page.goto(`${webUrl()}/signin`);
    await fillSignIn(page, user.username, "not the password");
    await expect.poll(() => page.getByTestId("form-error").textContent()).toBe("Wrong username or password.");
    expect(page.url()).toContain("/signin");
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.screenshot({ path: path.join(ROOT, "test-results", "sign-in-error.png") });
    // 401 responses from the credentials callback are expected; nothing else may fail.
    expect(problems.filter((p) => !p.includes("401"))).toEqual([]);
    await context.close();
  });

  it("sign-up shows what to fix for a taken username", async () => {
    const user = await registerUser();
    const context = await browser().newContext();
    const { page } = await watchedPage(context);
    await page.goto(`${webUrl()}/signup`);
    await page.getByLabel("Username").fill(user.username);
    await page.locator("input[name=password]").fill(PASSWORD);
    await page.locator("input[name=confirm]").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect.poll(() => page.getByTestId("form-error").textContent()).toContain("is taken");
    await context.close();
  });

  it("too many wrong passwords show when to try again", async () => {
    const user = await registerUser();
    const context = await browser().newContext();
    const { page } = await watchedPage(context);
    await page.goto(`${webUrl()}/signin`);
    for (let i = 0; i < inject("loginLimits").perUser; i++) {
      await fillSignIn(page, user.username, `wrong password ${i}`);
      await expect.poll(() => page.getByTestId("form-error").textContent()).toBe("Wrong username or password.");
    }
    await fillSignIn(page, user.username, user.password);
    await expect.poll(() => page.getByTestId("form-error").textContent()).toMatch(/Too many sign-in attempts\. Try again in/);
    await context.close();
  });

  it("after sign-in it never redirects to another site", async () => {
    const user = await registerUser();
    // Its own client address, so this many sign-ins stay clear of the per-address limit.
    const context = await browser().newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
    const { page } = await watchedPage(context);
    const ours = new URL(webUrl()).origin;
    const elsewhere: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(ours) && !r.url().startsWith("data:")) elsewhere.push(r.url());
    });
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    for (const hostile of HOSTILE_CALLBACK_URLS) {
      await context.setExtraHTTPHeaders({ "x-forwarded-for": uniqueIp() });
      const signIn = `${webUrl()}/signin?callbackUrl=${encodeURIComponent(hostile)}`;
      await page.goto(signIn);
      await fillSignIn(page, user.username, user.password);
      await page.waitForURL(`${webUrl()}/`);
      expect(page.url(), `after signing in with callbackUrl ${JSON.stringify(hostile)}`).toBe(`${webUrl()}/`);
      // Already signed in, the sign-in page redirects at once (on the server): the same rule holds.
      await page.goto(signIn);
      await page.waitForURL(`${webUrl()}/`);
      await page.getByRole("button", { name: "Sign out", exact: true }).click();
      await page.waitForURL(/\/signin/);
    }
    expect(elsewhere).toEqual([]);
    expect(dialogs).toEqual([]);
    await context.close();
  });

  it("after sign-up it never redirects to another site", async () => {
    const context = await browser().newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
    const { page } = await watchedPage(context);
    await page.goto(`${webUrl()}/signup?callbackUrl=${encodeURIComponent("/\t/evil.example")}`);
    await page.getByLabel("Username").fill(uniqueName("Cb"));
    await page.locator("input[name=password]").fill(PASSWORD);
    await page.locator("input[name=confirm]").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(`${webUrl()}/`);
    await context.close();
  });
});

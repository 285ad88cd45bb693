import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD, uniqueIp, uniqueName } from "../support/api";
import { useBrowser, watchedPage } from "../support/browser";
import { hostInvite, startWeb, tokenOfInviteUrl } from "../support/shared-backing";
import { ROOT, type RunningService } from "../support/stack";

/** The sign-up page and the workspace's invite panel in invite and closed registration, each on a web process of its own. */
const browser = useBrowser();

/** A person with their own client address (the test web processes trust X-Forwarded-For). */
async function person(b: Browser, ip = uniqueIp()) {
  fs.mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
  const context = await b.newContext({ extraHTTPHeaders: { "x-forwarded-for": ip }, viewport: { width: 1100, height: 760 } });
  const { page, problems } = await watchedPage(context);
  return { context, page, problems };
}

async function fillSignUp(page: Page, username: string) {
  await page.getByLabel("Username").fill(username);
  await page.locator("input[name=password]").fill(PASSWORD);
  await page.locator("input[name=confirm]").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
}

describe("sign-up by invite", () => {
  let web: RunningService;
  beforeAll(async () => {
    web = await startWeb({ SAM_REGISTRATION: "invite", SAM_REGISTER_MAX_PER_IP: "2" });
  });
  afterAll(async () => {
    await web?.stop();
  });

  it("an invite link fills the form; the new member invites the next person from the workspace", async () => {
    const link = hostInvite(web.url);
    const first = await person(browser());
    await first.page.goto(link);
    await expect.poll(() => first.page.getByLabel("Invite").inputValue()).toBe(tokenOfInviteUrl(link));
    expect(await first.page.getByTestId("registration-notice").textContent()).toContain("needs an invite link");
    await first.page.screenshot({ path: path.join(ROOT, "test-results", "sign-up-invite.png") });
    const firstName = uniqueName("Inv");
    await fillSignUp(first.page, firstName);
    await first.page.waitForURL(`${web.url}/`);

    await first.page.getByTestId("create-invite").click();
    const theirs = await first.page.getByTestId("invite-link").inputValue();
    expect(theirs).toMatch(new RegExp(`^${web.url}/signup#invite=sami_`));
    await expect.poll(() => first.page.getByTestId("invites").textContent()).toContain("unused");

    const second = await person(browser());
    await second.page.goto(theirs);
    const secondName = uniqueName("Inv");
    await fillSignUp(second.page, secondName);
    await second.page.waitForURL(`${web.url}/`);
    await first.page.reload();
    await expect.poll(() => first.page.getByTestId("invites").textContent()).toContain(`used by ${secondName}`);
    await first.page.screenshot({ path: path.join(ROOT, "test-results", "workspace-invites.png"), fullPage: true });

    // The same link again: refused, with the reason on the page.
    const third = await person(browser());
    await third.page.goto(theirs);
    await fillSignUp(third.page, uniqueName("Inv"));
    await expect.poll(() => third.page.getByTestId("form-error").textContent()).toContain("unknown, already used or expired");
    for (const p of [first, second, third]) await p.context.close();
  });

  it("too many sign-ups from one address show when to try again", async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 2; i++) {
      await fetch(`${web.url}/api/v1/auth/register`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": ip },
        body: JSON.stringify({ username: uniqueName(), password: PASSWORD, invite: "sami_" + "x".repeat(43) }),
      });
    }
    const someone = await person(browser(), ip);
    await someone.page.goto(hostInvite(web.url));
    await fillSignUp(someone.page, uniqueName("Inv"));
    await expect
      .poll(() => someone.page.getByTestId("form-error").textContent())
      .toMatch(/^Too many accounts were created from your address\. Try again in \d+ (seconds|minutes)\.$/);
    await someone.context.close();
  });
});

describe("closed sign-up", () => {
  let web: RunningService;
  beforeAll(async () => {
    web = await startWeb({ SAM_REGISTRATION: "closed" });
  });
  afterAll(async () => {
    await web?.stop();
  });

  it("says so on the page, refuses a made-up invite, and takes the host's", async () => {
    const visitor = await person(browser());
    await visitor.page.goto(`${web.url}/signup`);
    expect(await visitor.page.getByTestId("registration-notice").textContent()).toContain("Registration on this server is closed");
    await visitor.page.getByLabel("Invite").fill("sami_" + "z".repeat(43));
    await fillSignUp(visitor.page, uniqueName("Cl"));
    await expect.poll(() => visitor.page.getByTestId("form-error").textContent()).toContain("unknown, already used or expired");

    await visitor.page.goto(hostInvite(web.url));
    await visitor.page.reload();
    await fillSignUp(visitor.page, uniqueName("Cl"));
    await visitor.page.waitForURL(`${web.url}/`);
    // Nobody but the host makes invites here.
    expect(await visitor.page.getByTestId("create-invite").count()).toBe(0);
    await visitor.context.close();
  });
});

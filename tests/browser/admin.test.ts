import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "../../lib/db/client";
import { api, PASSWORD, registerUser, webUrl } from "../support/api";
import { useBrowser, watchedPage } from "../support/browser";
import { ROOT } from "../support/stack";

/**
 * The admin page in Chromium: an admin sees the queue, the runners and the
 * dead letters, inspects one and replays or discards it; a normal account is
 * refused; an anonymous visitor is sent to sign in.
 */
const browser = useBrowser();
const db = createDatabase(inject("databaseUrl"));
let admin: Awaited<ReturnType<typeof registerUser>>;
let someone: Awaited<ReturnType<typeof registerUser>>;
beforeAll(async () => {
  [admin, someone] = await Promise.all([registerUser(), registerUser()]);
  await db.user.update({ where: { id: admin.id }, data: { systemRole: "admin" } });
});
afterAll(async () => {
  await db.$disconnect();
});

async function signedIn(username: string): Promise<{ page: Page; problems: string[]; close: () => Promise<void> }> {
  const context = await browser().newContext({ viewport: { width: 1366, height: 900 } });
  const { page, problems } = await watchedPage(context);
  await page.goto(`${webUrl()}/signin`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${webUrl()}/`);
  return { page, problems, close: () => context.close() };
}

/** A finished run of `someone`, made a dead letter the way the runner makes one. */
async function deadLetter(): Promise<string> {
  const res = await api("POST", "/api/v1/executions", {
    token: someone.token,
    body: { language: "python", files: [{ name: "main.py", content: "print('hi')" }] },
  });
  const id = res.json.id as string;
  for (let i = 0; i < 600; i++) {
    const status = (await api("GET", `/api/v1/executions/${id}`, { token: someone.token })).json.status;
    if (!["queued", "running"].includes(status)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await db.execution.update({ where: { id }, data: { status: "internal_error", error: "The sandbox could not start or run the program (tried 3 times)." } });
  const history = [1, 2, 3].map((n) => ({ at: new Date().toISOString(), kind: "sandbox", message: `crun: cgroup missing (${n})` }));
  await db.deadLetter.create({
    data: {
      executionId: id,
      kind: "attempts_exhausted",
      reason: "crun: cgroup missing (3)",
      attempts: history,
      job: { name: "run", data: { executionId: id }, priority: null },
    },
  });
  return id;
}

describe("the admin page", () => {
  it("an admin sees the queue and runners, inspects a dead letter, discards one and replays another", async () => {
    const [discarded, replayed] = await Promise.all([deadLetter(), deadLetter()]);
    const { page, problems, close } = await signedIn(admin.username);
    try {
      // From the workspace, through the top bar's link that only admins get.
      await page.getByTestId("admin-link").click();
      await page.waitForURL(`${webUrl()}/admin`);
      await page.getByTestId("admin-page").waitFor();
      await expect.poll(() => page.getByTestId("queue-counts").textContent()).toContain("waiting");
      expect(await page.getByTestId("class-interactive").textContent()).toContain("interactive");
      expect(await page.getByTestId("class-batch").textContent()).toContain("batch");
      expect(await page.getByTestId("oldest-waiting").textContent()).toContain("Oldest waiting");
      // The suite's runner, with its driver and concurrency.
      const drivers = () => page.getByTestId("runners").locator("tbody td:nth-child(2)").allTextContents();
      await expect
        .poll(async () => (await page.reload(), await drivers()), { timeout: 30_000 })
        .toEqual(expect.arrayContaining([expect.stringMatching(/^(oci|docker)$/)]));
      expect(await page.getByTestId(`dead-letter-${discarded}`).textContent()).toContain("attempts_exhausted");
      // The picture for docs/operations.md.
      fs.mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
      await page.screenshot({ path: path.join(ROOT, "test-results", "admin.png"), fullPage: true });

      // Inspect: every attempt's reason, and what the owner sees.
      await page.getByRole("link", { name: discarded }).click();
      await page.getByTestId("dead-letter-page").waitFor();
      const history = await page.getByTestId("dead-letter-history").textContent();
      for (const n of [1, 2, 3]) expect(history).toContain(`crun: cgroup missing (${n})`);
      expect(await page.getByTestId("dead-letter-page").textContent()).toContain("internal_error");

      // Discard (after confirming): back to the list, gone from it.
      page.once("dialog", (dialog) => void dialog.accept());
      await page.getByTestId(`discard-${discarded}`).click();
      await page.waitForURL(`${webUrl()}/admin`);
      await page.getByTestId("admin-page").waitFor();
      await expect.poll(() => page.getByTestId(`dead-letter-${discarded}`).count()).toBe(0);

      // Replay from the list: it leaves the dead letters and runs again.
      await page.getByTestId(`replay-${replayed}`).click();
      await expect.poll(() => page.getByTestId(`dead-letter-${replayed}`).count()).toBe(0);
      await expect
        .poll(async () => (await api("GET", `/api/v1/executions/${replayed}`, { token: someone.token })).json.status, { timeout: 60_000 })
        .toBe("succeeded");
      expect(problems).toEqual([]);
    } finally {
      await close();
    }
  }, 240_000);

  it("a normal account is refused, and sees none of it", async () => {
    const { page, close } = await signedIn(someone.username);
    try {
      expect(await page.getByTestId("admin-link").count()).toBe(0);
      for (const path of ["/admin", "/admin/dead-letters/00000000-0000-4000-8000-000000000000"]) {
        await page.goto(`${webUrl()}${path}`);
        await page.getByTestId("admin-refused").waitFor();
        expect(await page.getByTestId("admin-page").count()).toBe(0);
        expect(await page.locator("body").textContent()).not.toContain("Dead letters");
      }
    } finally {
      await close();
    }
  }, 120_000);

  it("an anonymous visitor is sent to sign in", async () => {
    const context = await browser().newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${webUrl()}/admin`);
      await page.waitForURL(/\/signin\?callbackUrl=%2Fadmin$/);
    } finally {
      await context.close();
    }
  }, 60_000);
});

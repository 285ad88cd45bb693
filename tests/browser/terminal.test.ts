import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { PASSWORD, uniqueIp } from "../support/api";
import { useBrowser, watchedPage } from "../support/browser";
import { roomWithMembers, type TestUser } from "../support/rooms";
import { startWeb } from "../support/shared-backing";
import type { RunningService } from "../support/stack";

/**
 * The room's shared terminal in two browsers: an editor types, a viewer
 * watches the same shell and cannot type; the editor keeps a file the shell
 * wrote, and everyone gets it; the terminal closes itself after
 * its idle timeout (short here: a web process of its own with short settings).
 */
const IDLE_SECONDS = 45;
const browser = useBrowser();
let web: RunningService;
beforeAll(async () => {
  web = await startWeb({ SAM_COLLAB_URL: inject("collabUrl"), SAM_TERMINAL_IDLE_SECONDS: String(IDLE_SECONDS), SAM_RUNS_PER_MINUTE: "100000" });
});
afterAll(async () => {
  await web?.stop();
});

async function openRoom(user: TestUser, roomId: string): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser().newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() }, viewport: { width: 1366, height: 1000 } });
  const { page, problems } = await watchedPage(context);
  await page.goto(`${web.url}/signin`);
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${web.url}/`);
  await page.goto(`${web.url}/rooms/${roomId}`);
  // The terminal is a tab of the panel under the editor.
  await page.getByTestId("dock-tab-terminal").click();
  await page.getByTestId("terminal-view").locator(".xterm-rows").waitFor({ timeout: 60_000 });
  return { context, page, problems };
}

/** The text xterm shows (its rows, as rendered). */
const screen = (page: Page) => page.getByTestId("terminal-view").locator(".xterm-rows").innerText();

describe("the room's shared terminal", () => {
  it("an editor types, a viewer watches the same output and cannot type, and it closes after the idle timeout", async () => {
    const { roomId, editor, viewer } = await roomWithMembers();
    const e = await openRoom(editor, roomId);
    const v = await openRoom(viewer, roomId);
    try {
      // Viewers have no Start and a read-only terminal.
      expect(await v.page.getByTestId("terminal-start").count()).toBe(0);
      await expect.poll(() => v.page.getByTestId("room-terminal").innerText(), { timeout: 30_000 }).toContain("As a viewer you watch this shell");

      await e.page.getByTestId("terminal-start").click();
      // The viewer's page attaches by itself (the room's event stream announces the terminal).
      for (const p of [e.page, v.page]) await expect.poll(() => screen(p), { timeout: 90_000 }).toContain("$");
      await expect
        .poll(() => e.page.getByTestId("terminal-status").innerText(), { timeout: 30_000 })
        .toMatch(/Running \(started by .*\) · closes in \d+:\d\d without input/);

      await e.page.getByTestId("terminal-view").click();
      await e.page.keyboard.type("echo hi");
      await e.page.keyboard.press("Enter");
      for (const p of [e.page, v.page]) await expect.poll(() => screen(p), { timeout: 30_000 }).toMatch(/echo hi\s+hi/);
      await e.page.keyboard.type("ls");
      await e.page.keyboard.press("Enter");
      for (const p of [e.page, v.page]) await expect.poll(() => screen(p), { timeout: 30_000 }).toContain("main.py");

      // Files the shell writes reach the room only when someone keeps them; then everyone has them.
      await e.page.keyboard.type("echo kept-$((1+1)) > kept.txt; echo W$((0))ROTE");
      await e.page.keyboard.press("Enter");
      await expect.poll(() => screen(e.page), { timeout: 30_000 }).toContain("W0ROTE");
      expect(await v.page.getByTestId("file-kept.txt").count()).toBe(0);
      await e.page.getByTestId("keep-files-look").click();
      await e.page.getByTestId("keep-files-keep").click();
      await expect.poll(() => e.page.getByTestId("keep-files-message").innerText(), { timeout: 30_000 }).toContain("Kept 1 file in the room");
      await v.page.getByTestId("file-kept.txt").waitFor({ timeout: 30_000 });
      expect(await v.page.getByTestId("keep-files-look").count()).toBe(0);

      // The viewer types: nothing reaches the shell.
      await v.page.getByTestId("terminal-view").click();
      await v.page.keyboard.type("echo viewer-typed");
      await v.page.keyboard.press("Enter");
      await e.page.getByTestId("terminal-view").click();
      await e.page.keyboard.type("echo done-$((40+2))");
      await e.page.keyboard.press("Enter");
      for (const p of [e.page, v.page]) await expect.poll(() => screen(p), { timeout: 30_000 }).toContain("done-42");
      for (const p of [e.page, v.page]) expect(await screen(p)).not.toContain("viewer-typed");

      // Nobody types: the terminal closes by itself, for everyone, saying why.
      for (const p of [e.page, v.page]) {
        await expect.poll(() => screen(p), { timeout: (IDLE_SECONDS + 90) * 1000 }).toContain(`no input for ${IDLE_SECONDS} seconds`);
        await expect.poll(() => p.getByTestId("terminal-status").innerText(), { timeout: 30_000 }).toContain("stopped");
      }
      expect(await e.page.getByTestId("terminal-start").isEnabled()).toBe(true);
      expect(v.problems).toEqual([]);
      expect(e.problems).toEqual([]);
    } finally {
      await e.context.close();
      await v.context.close();
    }
  }, 400_000);
});

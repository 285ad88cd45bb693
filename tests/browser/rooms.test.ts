import fs from "node:fs";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useBrowser, watchedPage } from "../support/browser";
import { PASSWORD, registerUser, webUrl } from "../support/api";
import { ROOT } from "../support/stack";

const browser = useBrowser();

async function signedIn(username: string): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser().newContext({ viewport: { width: 1366, height: 800 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: webUrl() });
  const { page, problems } = await watchedPage(context);
  await page.goto(`${webUrl()}/signin`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${webUrl()}/`);
  return { context, page, problems };
}

/** The text of the open file as Monaco shows it (the file is short: every line is rendered). */
const editorText = (page: Page) =>
  page.evaluate(() => [...document.querySelectorAll(".view-lines .view-line")].map((l) => (l.textContent ?? "").replace(/\u00a0/g, " ")).join("\n"));

async function typeAtEnd(page: Page, text: string) {
  await page.locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type(text, { delay: 15 });
}

async function shareLink(page: Page, role: "editor" | "viewer"): Promise<string> {
  await page.getByTestId("share").click();
  await page.getByLabel("Role the link grants").selectOption(role);
  await page.getByTestId("create-link").click();
  const link = await page.getByTestId("share-link").inputValue();
  await page.getByRole("button", { name: "Close", exact: true }).click();
  return link;
}

describe("a room in the browser, with two people", () => {
  it("share, co-edit, see each other, run together; a viewer can only watch", async () => {
    const [ownerUser, guestUser, viewerUser] = await Promise.all([registerUser(), registerUser(), registerUser()]);
    const owner = await signedIn(ownerUser.username);
    const guest = await signedIn(guestUser.username);
    const viewer = await signedIn(viewerUser.username);

    // The owner creates a room from the Python template.
    await owner.page.getByTestId("new-room-name").fill("Pair programming");
    await owner.page.getByTestId("new-room-language").selectOption("python");
    await owner.page.getByTestId("create-room").click();
    await owner.page.waitForURL(/\/rooms\/[0-9a-f-]{36}$/);
    await expect.poll(() => owner.page.getByTestId("connection").textContent(), { timeout: 20_000 }).toContain("Connected");
    await owner.page.locator(".monaco-editor").waitFor({ timeout: 30_000 });
    await expect.poll(() => editorText(owner.page), { timeout: 20_000 }).toContain("Hello, world!");

    // Shares an editor link; the guest opens it and lands in the room as an editor.
    const editorLink = await shareLink(owner.page, "editor");
    await guest.page.goto(editorLink);
    await guest.page.waitForURL(owner.page.url());
    await expect.poll(() => guest.page.getByTestId("my-role").textContent()).toBe("editor");
    await guest.page.locator(".monaco-editor").waitFor({ timeout: 30_000 });
    await expect.poll(() => guest.page.getByTestId("presence").textContent(), { timeout: 15_000 }).toContain(ownerUser.username);

    // Both type into the same file at the same time: both end with identical text holding every keystroke.
    await owner.page.locator(".monaco-editor .view-lines").click();
    await owner.page.keyboard.press("Control+End");
    await owner.page.keyboard.press("Enter");
    await guest.page.locator(".monaco-editor .view-lines").click();
    await guest.page.keyboard.press("Control+Home");
    await Promise.all([
      owner.page.keyboard.type('print("from the owner")', { delay: 20 }),
      guest.page.keyboard.type('print("from the guest")\n', { delay: 20 }),
    ]);
    await expect
      .poll(
        async () =>
          (await editorText(owner.page)) === (await editorText(guest.page)) &&
          (await editorText(owner.page)).includes('print("from the guest")') &&
          (await editorText(owner.page)).includes('print("from the owner")'),
        { timeout: 15_000 },
      )
      .toBe(true);

    // Undo undoes only my own edits: the guest's undo takes back the guest's last words, not the owner's.
    // (Edits less than half a second apart undo together, so the words come after a pause.)
    await new Promise((r) => setTimeout(r, 700));
    await guest.page.keyboard.type("# guest's last words", { delay: 10 });
    await expect.poll(() => editorText(owner.page), { timeout: 10_000 }).toContain("# guest's last words");
    await new Promise((r) => setTimeout(r, 700)); // a pause ends the undo group
    await guest.page.keyboard.press("Control+z");
    await expect.poll(() => editorText(owner.page), { timeout: 10_000 }).not.toContain("# guest's last words");
    expect(await editorText(guest.page)).toContain('print("from the owner")');
    expect(await editorText(guest.page)).toContain('print("from the guest")');

    // Each sees the other's cursor with their name.
    await expect.poll(() => owner.page.locator("[class*=yRemoteSelectionHead-]").count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await owner.page.getByTestId("remote-cursor-styles").textContent()).toContain(guestUser.username.slice(0, 1));

    // Follow: the guest follows the owner; when the owner opens another file, the guest's view goes there too.
    await owner.page.getByTestId("new-file").click();
    await owner.page.getByTestId("tree-name-field").fill("notes.txt");
    await owner.page.getByTestId("tree-name-field").press("Enter");
    await guest.page.getByTestId("file-notes.txt").waitFor({ timeout: 10_000 });
    await guest.page.getByRole("button", { name: "Follow", exact: true }).click();
    await owner.page.getByTestId("file-notes.txt").click();
    await expect.poll(() => guest.page.locator(".tab.active").textContent(), { timeout: 10_000 }).toContain("notes.txt");
    await guest.page.getByRole("button", { name: "Following", exact: true }).click();
    await owner.page.getByTestId("file-main.py").click();
    await guest.page.getByTestId("file-main.py").click();
    await expect.poll(() => editorText(guest.page)).toContain('print("from the owner")');

    // The owner runs the program; both see its output, and who started it.
    await owner.page.getByTestId("run").click();
    for (const p of [owner.page, guest.page]) {
      await expect.poll(() => p.getByTestId("output").textContent(), { timeout: 60_000 }).toContain("from the owner");
      await expect.poll(() => p.getByTestId("run-status").textContent(), { timeout: 60_000 }).toContain("Succeeded");
      expect(await p.getByTestId("run-status").textContent()).toContain(`started by ${ownerUser.username}`);
    }

    // A program that reads input gets what the runner types while it runs; Ctrl+Enter runs it.
    await typeAtEnd(guest.page, '\nprint("you said", input())');
    await guest.page.locator(".monaco-editor .view-lines").click();
    await guest.page.keyboard.press("Control+Enter");
    await guest.page.getByTestId("live-input").waitFor({ timeout: 30_000 });
    await guest.page.getByTestId("live-input").fill("hello there");
    await guest.page.getByTestId("live-input").press("Enter");
    for (const p of [owner.page, guest.page]) {
      await expect.poll(() => p.getByTestId("output").textContent(), { timeout: 30_000 }).toContain("you said hello there");
      await expect.poll(() => p.getByTestId("run-status").textContent(), { timeout: 30_000 }).toContain("Succeeded");
    }

    // The screenshot for the README: a room with two members.
    fs.mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
    await owner.page.screenshot({ path: path.join(ROOT, "test-results", "room.png") });

    // Stop: the same program waits for input again; the owner stops it from the other browser, both see it stopped.
    await guest.page.getByTestId("run").click();
    await guest.page.getByTestId("live-input").waitFor({ timeout: 30_000 });
    // The owner's page shows the guest's new run running before the owner stops it.
    await expect
      .poll(() => owner.page.getByTestId("run-status").textContent(), { timeout: 30_000 })
      .toMatch(new RegExp(`Running.*started by ${guestUser.username}`));
    await owner.page.getByTestId("stop").click();
    for (const p of [owner.page, guest.page]) {
      await expect.poll(() => p.getByTestId("run-status").textContent(), { timeout: 30_000 }).toContain("Stopped");
      await expect.poll(() => p.getByTestId("live-input").count()).toBe(0);
    }

    // A viewer: can watch, cannot type or run; and the server refuses it too.
    const viewerLink = await shareLink(owner.page, "viewer");
    await viewer.page.goto(viewerLink);
    await viewer.page.waitForURL(owner.page.url());
    await expect.poll(() => viewer.page.getByTestId("my-role").textContent()).toBe("viewer");
    await viewer.page.locator(".monaco-editor").waitFor({ timeout: 30_000 });
    const before = await editorText(viewer.page);
    await typeAtEnd(viewer.page, "VIEWER TYPING");
    await new Promise((r) => setTimeout(r, 500));
    expect(await editorText(viewer.page)).toBe(before);
    expect(await editorText(owner.page)).not.toContain("VIEWER");
    expect(await viewer.page.getByTestId("run").isDisabled()).toBe(true);
    const refused = await viewer.page.evaluate(
      async (url) => (await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status,
      `/api/v1/rooms/${owner.page.url().split("/").pop()}/runs`,
    );
    expect(refused).toBe(403);
    viewer.problems.splice(0, viewer.problems.length, ...viewer.problems.filter((p) => !p.includes("403")));

    // A tablet held upright: the room still fits the screen (panels stack), nothing scrolls sideways.
    await guest.page.setViewportSize({ width: 820, height: 1180 });
    await expect.poll(() => guest.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(await guest.page.getByTestId("run").isVisible()).toBe(true);
    await guest.page.screenshot({ path: path.join(ROOT, "test-results", "room-tablet.png") });

    for (const { problems } of [owner, guest, viewer]) expect(problems).toEqual([]);
    for (const { context } of [owner, guest, viewer]) await context.close();
  }, 240_000);

  it("by keyboard alone: create a room, open its file, edit it, run it", async () => {
    const user = await registerUser();
    const me = await signedIn(user.username);
    const { page } = me;
    /** Presses Tab until the element with this test id has focus. */
    const tabTo = async (testId: string) => {
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press("Tab");
        if ((await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))) === testId) return;
      }
      throw new Error(`Tab never reached ${testId}`);
    };
    await tabTo("new-room-name");
    await page.keyboard.type("Keyboard room");
    await tabTo("new-room-language");
    await page.keyboard.type("python"); // a focused list picks the option whose name is typed
    expect(await page.getByTestId("new-room-language").inputValue()).toBe("python");
    await tabTo("create-room");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/rooms\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.getByTestId("connection").textContent(), { timeout: 20_000 }).toContain("Connected");
    const file = await page.locator("[data-testid^='file-']").first().getAttribute("data-testid");
    await tabTo(file!);
    await page.keyboard.press("Enter");
    await page.locator(".monaco-editor").waitFor({ timeout: 30_000 });
    // Into the editor with Tab like any field; type; Ctrl+Enter runs from there (Tab inside the editor indents).
    for (let i = 0; i < 60 && !(await page.evaluate(() => Boolean(document.activeElement?.closest(".monaco-editor")))); i++) await page.keyboard.press("Tab");
    await page.keyboard.press("Control+End");
    await page.keyboard.type('\nprint("typed by keyboard")', { delay: 15 });
    await page.keyboard.press("Control+Enter");
    await expect.poll(() => page.getByTestId("run-status").textContent(), { timeout: 60_000 }).toContain("Succeeded");
    // The output's text copy follows the terminal, which draws a moment after the status arrives.
    await expect.poll(() => page.getByTestId("output").textContent(), { timeout: 30_000 }).toContain("typed by keyboard");
    expect(await page.getByTestId("output").textContent()).toContain("Hello, world!");
    expect(me.problems).toEqual([]);
    await me.context.close();
  }, 120_000);
});

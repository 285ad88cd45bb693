import type { BrowserContext, Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { PASSWORD, uniqueIp, webUrl } from "../support/api";
import { useBrowser, watchedPage } from "../support/browser";
import { roomWithMembers } from "../support/rooms";

const browser = useBrowser();
const contexts: BrowserContext[] = [];

afterAll(async () => {
  for (const c of contexts) await c.close();
});

async function inRoom(username: string, roomId: string): Promise<{ page: Page; problems: string[] }> {
  const context = await browser().newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() }, viewport: { width: 1366, height: 800 } });
  contexts.push(context);
  const { page, problems } = await watchedPage(context);
  await page.goto(`${webUrl()}/signin`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${webUrl()}/`);
  await page.goto(`${webUrl()}/rooms/${roomId}`);
  await expect.poll(() => page.getByTestId("connection").textContent(), { timeout: 30_000 }).toContain("Connected");
  await page.locator(".monaco-editor").waitFor({ timeout: 60_000 });
  await expect.poll(() => editorText(page), { timeout: 30_000 }).toContain("Hello, world!");
  return { page, problems };
}

/** The text of the open file as Monaco shows it (the file is short: every line is rendered). */
const editorText = (page: Page) =>
  page.evaluate(() => [...document.querySelectorAll(".view-lines .view-line")].map((l) => (l.textContent ?? "").replace(/\u00a0/g, " ")).join("\n"));

/** Opens the History panel and the comparison of the snapshot with this label. */
async function compare(page: Page, label: string) {
  await page.getByTestId("room-history").click();
  await page.getByTestId("history-panel").waitFor();
  await page.getByRole("button", { name: `Compare “${label}” with now` }).click();
}

describe("a room's history in the browser", () => {
  it("A saves a snapshot and edits; B sees the diff, restores for everyone and undoes it; a viewer only looks", async () => {
    const room = await roomWithMembers();
    const a = await inRoom(room.owner.username, room.roomId);

    // A names and saves a snapshot (an inline field, no prompt), then edits the file.
    await a.page.getByTestId("room-history").click();
    await a.page.getByTestId("snapshot-name").fill("Before the edit");
    await a.page.getByTestId("save-snapshot").click();
    await expect.poll(() => a.page.getByTestId("snapshots").textContent(), { timeout: 20_000 }).toContain("Before the edit");
    expect(await a.page.getByTestId("snapshots").textContent()).toContain(`saved by ${room.owner.username}`);
    await a.page.getByRole("button", { name: "Close the history" }).click();
    await a.page.locator(".monaco-editor .view-lines").click();
    await a.page.keyboard.press("Control+End");
    await a.page.keyboard.press("Enter");
    await a.page.keyboard.type('print("edited by A")', { delay: 15 });
    await expect.poll(() => editorText(a.page), { timeout: 20_000 }).toContain('print("edited by A")');

    // B sees what changed since the snapshot, line by line.
    const b = await inRoom(room.editor.username, room.roomId);
    await expect.poll(() => editorText(b.page), { timeout: 20_000 }).toContain('print("edited by A")');
    await compare(b.page, "Before the edit");
    const changed = b.page.locator('[data-testid=diff-file][data-status="changed"]');
    await expect.poll(() => changed.count(), { timeout: 20_000 }).toBe(1);
    expect(await changed.locator('[data-kind="added"]').textContent()).toContain('print("edited by A")');

    // B restores: A sees the snapshot's text live, and B is told it was restored.
    await b.page.getByTestId("restore-snapshot").click();
    await expect.poll(() => b.page.getByTestId("restore-notice").textContent()).toContain("Restored “Before the edit”");
    await expect.poll(() => editorText(a.page), { timeout: 20_000 }).not.toContain("edited by A");
    expect(await editorText(a.page)).toContain("Hello, world!");
    await expect.poll(() => b.page.getByTestId("snapshot-diff-empty").isVisible(), { timeout: 20_000 }).toBe(true);

    // Closing the panel keeps the restore to undo; Undo restore brings A's edit back, for everyone.
    await b.page.getByRole("button", { name: "Close the history" }).click();
    await b.page.getByTestId("history-panel").waitFor({ state: "detached" });
    await b.page.getByTestId("room-history").click();
    await b.page.getByTestId("undo-restore").click();
    await expect.poll(() => editorText(a.page), { timeout: 20_000 }).toContain('print("edited by A")');
    await expect.poll(() => b.page.getByTestId("restore-notice").textContent()).toContain("was undone");
    await expect.poll(() => editorText(b.page), { timeout: 20_000 }).toContain('print("edited by A")');

    // A viewer sees the history and the diff, but can neither save nor restore.
    const v = await inRoom(room.viewer.username, room.roomId);
    await compare(v.page, "Before the edit");
    await expect.poll(() => v.page.locator('[data-testid=diff-file][data-status="changed"]').count(), { timeout: 20_000 }).toBe(1);
    expect(await v.page.getByTestId("restore-snapshot").count()).toBe(0);
    expect(await v.page.getByTestId("save-snapshot").count()).toBe(0);
    expect(await v.page.getByTestId("history-panel").textContent()).toContain("compare, but not restore");

    for (const who of [a, b, v]) expect(who.problems).toEqual([]);
  });
});

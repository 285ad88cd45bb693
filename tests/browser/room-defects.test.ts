import fs from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createFile } from "../../lib/rooms/tree";
import { api, PASSWORD, registerUser, uniqueIp, uniqueName, webUrl } from "../support/api";
import { useBrowser, watchedPage } from "../support/browser";
import { addMember, connectRoom, roomToken, type TestUser } from "../support/rooms";
import { ROOT } from "../support/stack";

/**
 * Defects a new user met in a room (issue 12), each kept fixed here with
 * real Chromium and two or three people as browser contexts: remote name
 * tags that never went away, the share dialog's links, a share link opened
 * while signed out, and one person with two tabs listed twice.
 */
const browser = useBrowser();
const SOON = { timeout: 30_000 };

async function newRoom(owner: TestUser, name = "Defects"): Promise<string> {
  const created = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name, language: "python" } });
  if (created.status !== 201) throw new Error(`room not created: ${created.status} ${created.text}`);
  return created.json.id as string;
}

/** A browser context of its own (its own client address: sign-in limits count per address). */
async function person(b: Browser): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await b.newContext({ viewport: { width: 1366, height: 800 }, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
  const { page, problems } = await watchedPage(context);
  return { context, page, problems };
}

async function signIn(page: Page, user: TestUser, then: string): Promise<void> {
  await page.goto(`${webUrl()}/signin?callbackUrl=${encodeURIComponent(then)}`);
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${webUrl()}${then}`);
}

async function inRoom(page: Page): Promise<void> {
  await expect.poll(() => page.getByTestId("connection").textContent(), SOON).toContain("Connected");
  await page.locator(".monaco-editor").waitFor({ timeout: 60_000 });
}

/** Opacity of each remote cursor's name tag on this page (y-monaco's cursor heads, the tag is their ::after). */
const tagOpacities = (page: Page) =>
  page.evaluate(() => [...document.querySelectorAll("[class*=yRemoteSelectionHead-]")].map((el) => getComputedStyle(el, "::after").opacity));

describe("room defects a new user met", () => {
  it("a remote cursor's name tag shows when its person moves, then fades away", async () => {
    const [ownerUser, guestUser] = await Promise.all([registerUser(), registerUser()]);
    const roomId = await newRoom(ownerUser);
    await addMember(roomId, ownerUser, guestUser, "editor");
    const owner = await person(browser());
    const guest = await person(browser());
    await signIn(owner.page, ownerUser, `/rooms/${roomId}`);
    await signIn(guest.page, guestUser, `/rooms/${roomId}`);
    await Promise.all([inRoom(owner.page), inRoom(guest.page)]);

    // The guest puts their cursor in the file: the owner sees it, named.
    await guest.page.locator(".monaco-editor .view-lines").click();
    await guest.page.keyboard.press("Control+End");
    await expect.poll(() => tagOpacities(owner.page).then((o) => o.length), SOON).toBeGreaterThan(0);
    const tag = owner.page.locator("[class*=yRemoteSelectionHead-]").first();
    expect(await tag.evaluate((el) => getComputedStyle(el, "::after").content)).toContain(guestUser.username);

    // Left alone, the tag fades out: it no longer covers the code above the cursor.
    await expect.poll(() => tagOpacities(owner.page), SOON).toEqual(["0"]);

    // The guest moves: the tag is back at once (watched every frame, so a slow machine cannot miss it) ...
    const shown = owner.page.waitForFunction(
      () => [...document.querySelectorAll("[class*=yRemoteSelectionHead-]")].some((el) => getComputedStyle(el, "::after").opacity === "1"),
      undefined,
      { polling: "raf", timeout: 30_000 },
    );
    await guest.page.keyboard.press("Control+Home");
    await shown;
    // ... and fades again once they stop.
    await expect.poll(() => tagOpacities(owner.page), SOON).toEqual(["0"]);

    // Pointing at someone's cursor shows who it is; moving away hides it again.
    await tag.hover();
    await expect.poll(() => tagOpacities(owner.page), SOON).toEqual(["1"]);
    await owner.page.mouse.move(5, 5);
    await expect.poll(() => tagOpacities(owner.page), SOON).toEqual(["0"]);

    for (const p of [owner, guest]) expect(p.problems).toEqual([]);
    for (const p of [owner, guest]) await p.context.close();
  }, 180_000);

  it("the share dialog lists every link with its own whole address and Copy beside it, loaded once", async () => {
    const ownerUser = await registerUser();
    const roomId = await newRoom(ownerUser);
    const owner = await person(browser());
    await owner.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: webUrl() });
    const { page } = owner;
    await signIn(page, ownerUser, `/rooms/${roomId}`);
    await inRoom(page);
    const listLoads: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "GET" && new URL(r.url()).pathname === `/api/v1/rooms/${roomId}/share-links`) listLoads.push(r.url());
    });

    await page.getByTestId("share").click();
    await page.getByRole("dialog").waitFor();
    // Every state the list goes through, as the page renders it.
    await page.evaluate(() => {
      const seen: number[] = [];
      (window as unknown as { listSizes: number[] }).listSizes = seen;
      const dialog = document.querySelector("[role=dialog]")!;
      new MutationObserver(() => {
        const n = dialog.querySelectorAll("[data-testid=share-link-item]").length;
        if (seen.at(-1) !== n) seen.push(n);
      }).observe(dialog, { subtree: true, childList: true, characterData: true });
    });
    await page.getByLabel("Role the link grants").selectOption("editor");
    await page.getByTestId("create-link").click();
    await expect.poll(() => page.getByTestId("share-link").count(), SOON).toBe(1);
    await page.getByLabel("Role the link grants").selectOption("viewer");
    await page.getByTestId("create-link").click();
    await expect.poll(() => page.getByTestId("share-link").count(), SOON).toBe(2);

    // Both links, each with its own address: making the second did not hide the first.
    const urls = await page.getByTestId("share-link").evaluateAll((els) => els.map((el) => (el as HTMLTextAreaElement).value));
    expect(urls).toHaveLength(2);
    for (const url of urls) expect(url).toMatch(/\/join#samr_[A-Za-z0-9_-]{43}$/);
    expect(new Set(urls).size).toBe(2);
    expect(await page.getByTestId("share-links").textContent()).toMatch(/grants viewer[\s\S]*grants editor/);

    // The list was loaded once and only ever grew: never a partial list after a reload.
    expect(listLoads).toHaveLength(1);
    const sizes = await page.evaluate(() => (window as unknown as { listSizes: number[] }).listSizes);
    expect(sizes.at(-1)).toBe(2);
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));

    // The layout: each address is whole in its field, the field takes the row, Copy sits beside it on the same row.
    const items = page.getByTestId("share-link-item");
    for (let i = 0; i < 2; i++) {
      const item = items.nth(i);
      const field = item.getByTestId("share-link");
      const copy = item.getByRole("button", { name: "Copy" });
      expect(await field.isVisible()).toBe(true);
      expect(await copy.isVisible()).toBe(true);
      const clipped = await field.evaluate((el) => ({ wide: el.scrollWidth > el.clientWidth, tall: el.scrollHeight > el.clientHeight }));
      expect(clipped).toEqual({ wide: false, tall: false });
      const [f, c, row] = await Promise.all([field.boundingBox(), copy.boundingBox(), item.boundingBox()]);
      // Same row: they overlap vertically, Copy to the right of the field.
      expect(c!.y).toBeLessThan(f!.y + f!.height);
      expect(c!.y + c!.height).toBeGreaterThan(f!.y);
      expect(c!.x).toBeGreaterThanOrEqual(f!.x + f!.width - 1);
      // The field fills what the button leaves of the row (allowing for padding and the gap).
      expect(f!.width).toBeGreaterThan(row!.width - c!.width - 48);
    }
    fs.mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, "test-results", "share-dialog.png") });

    // Copy copies that link's own address.
    const second = items.nth(1);
    await second.getByRole("button", { name: "Copy" }).click();
    await expect.poll(() => second.getByRole("button", { name: "Copied" }).count()).toBe(1);
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(await second.getByTestId("share-link").inputValue());

    // Revoking one leaves the other, with its address, without a reload.
    const kept = await items.nth(0).getByTestId("share-link").inputValue();
    await second.getByRole("button", { name: /^Revoke/ }).click();
    await expect.poll(() => page.getByTestId("share-link-item").count(), SOON).toBe(1);
    expect(await page.getByTestId("share-link").inputValue()).toBe(kept);
    expect(listLoads).toHaveLength(1);
    expect((await api("GET", `/api/v1/rooms/${roomId}/share-links`, { token: ownerUser.token })).json.links).toHaveLength(1);

    expect(owner.problems).toEqual([]);
    await owner.context.close();
  }, 180_000);

  it("a share link opened signed out says which room invites you, then joins after sign-up or sign-in", async () => {
    const [ownerUser, existing] = await Promise.all([registerUser(), registerUser()]);
    const roomName = `Invite ${uniqueName("r")}`;
    const roomId = await newRoom(ownerUser, roomName);
    const link = async (role: "editor" | "viewer") =>
      (await api("POST", `/api/v1/rooms/${roomId}/share-links`, { token: ownerUser.token, body: { role } })).json as { id: string; url: string };
    const [editorLink, viewerLink, deadLink] = await Promise.all([link("editor"), link("viewer"), link("editor")]);
    expect((await api("DELETE", `/api/v1/rooms/${roomId}/share-links/${deadLink.id}`, { token: ownerUser.token })).status).toBe(204);
    const onThisServer = (url: string) => `${webUrl()}${new URL(url).pathname}${new URL(url).hash}`;

    // A newcomer: the invitation names the room, who shared it and the role, and nothing that identifies the room further.
    const newcomer = await person(browser());
    await newcomer.page.goto(onThisServer(editorLink.url));
    const invitation = newcomer.page.getByTestId("join-invitation");
    await invitation.waitFor({ timeout: 60_000 });
    expect(await newcomer.page.getByTestId("join-room-name").textContent()).toBe(roomName);
    const details = (await newcomer.page.getByTestId("join-details").textContent()) ?? "";
    expect(details).toContain(ownerUser.username);
    expect(details).toContain("an editor");
    expect(await newcomer.page.content()).not.toContain(roomId);
    await newcomer.page.screenshot({ path: path.join(ROOT, "test-results", "join-invitation.png") });

    // They make an account: the sign-up page still says where they are going, and they land in the room as an editor.
    await newcomer.page.getByRole("link", { name: "Create an account" }).click();
    await newcomer.page.waitForURL(/\/signup\?callbackUrl=%2Fjoin$/);
    await expect.poll(() => newcomer.page.getByTestId("join-room-name").textContent(), SOON).toBe(roomName);
    await newcomer.page.getByLabel("Username").fill(uniqueName());
    await newcomer.page.locator("input[name=password]").fill(PASSWORD);
    await newcomer.page.locator("input[name=confirm]").fill(PASSWORD);
    await newcomer.page.getByRole("button", { name: "Create account" }).click();
    await newcomer.page.waitForURL(`${webUrl()}/rooms/${roomId}`);
    await expect.poll(() => newcomer.page.getByTestId("my-role").textContent(), SOON).toBe("editor");

    // Someone with an account signs in right on the invitation and lands in the room as a viewer.
    const member = await person(browser());
    await member.page.goto(onThisServer(viewerLink.url));
    await member.page.getByTestId("join-invitation").waitFor({ timeout: 60_000 });
    expect(await member.page.getByTestId("join-details").textContent()).toContain("a viewer");
    await member.page.getByLabel("Username").fill(existing.username);
    await member.page.getByLabel("Password").fill(existing.password);
    await member.page.getByRole("button", { name: "Sign in", exact: true }).click();
    await member.page.waitForURL(`${webUrl()}/rooms/${roomId}`);
    await expect.poll(() => member.page.getByTestId("my-role").textContent(), SOON).toBe("viewer");

    // A revoked link says so before anyone signs in for nothing.
    const late = await person(browser());
    await late.page.goto(onThisServer(deadLink.url));
    await expect.poll(() => late.page.getByTestId("join-status").textContent(), SOON).toContain("expired or was revoked");
    expect(await late.page.getByTestId("join-status").getAttribute("role")).toBe("alert");
    expect(await late.page.getByTestId("join-invitation").count()).toBe(0);
    expect(await late.page.getByLabel("Password").count()).toBe(0);
    expect(late.problems).toContain("response: 404 /api/v1/share-links/preview");
    expect(late.problems.filter((p) => !p.includes("404"))).toEqual([]);

    for (const p of [newcomer, member]) expect(p.problems).toEqual([]);
    for (const p of [newcomer, member, late]) await p.context.close();
  }, 180_000);

  it("one person in two tabs is listed once, and nobody is offered Follow on themselves", async () => {
    const [ownerUser, guestUser] = await Promise.all([registerUser(), registerUser()]);
    const roomId = await newRoom(ownerUser);
    await addMember(roomId, ownerUser, guestUser, "editor");
    // A second file to follow someone into, written as any room client would (with no presence of its own).
    const writer = connectRoom(roomId, () => roomToken(roomId, ownerUser));
    const owner = await person(browser());
    try {
      await writer.synced;
      writer.provider.awareness?.setLocalState(null);
      expect(createFile(writer.doc, "notes.txt", "notes\n")).toBeUndefined();
      await signIn(owner.page, ownerUser, `/rooms/${roomId}`);
      await owner.page.getByTestId("file-notes.txt").waitFor({ timeout: 60_000 });
    } finally {
      writer.destroy();
    }
    const secondTab = await owner.context.newPage();
    secondTab.setDefaultTimeout(90_000);
    await secondTab.goto(`${webUrl()}/rooms/${roomId}`);
    const guest = await person(browser());
    await signIn(guest.page, guestUser, `/rooms/${roomId}`);
    await Promise.all([inRoom(owner.page), inRoom(secondTab), inRoom(guest.page)]);

    const people = (page: Page) => page.getByTestId("person").allTextContents();
    for (const page of [owner.page, secondTab, guest.page]) {
      // Each person once; the owner's two tabs say so.
      await expect.poll(() => people(page), SOON).toHaveLength(2);
      await expect.poll(() => page.getByTestId("person-tabs").allTextContents(), SOON).toEqual(["2 tabs"]);
      const names = await people(page);
      expect(names.filter((n) => n.includes(ownerUser.username))).toHaveLength(1);
      expect(names.filter((n) => n.includes(guestUser.username))).toHaveLength(1);
      expect(await page.locator("#presence-title").textContent()).toBe("In the room (2)");
      // My own entry (from whichever of my tabs) offers no Follow; the other person's does.
      const mine = page.getByTestId("person").filter({ hasText: "(you)" });
      expect(await mine.count()).toBe(1);
      expect(await mine.getByRole("button").count()).toBe(0);
      expect(await page.getByRole("button", { name: "Follow", exact: true }).count()).toBe(1);
    }

    // Following a person with two tabs follows the tab they use: the guest follows the owner (last active in the
    // second tab); the owner then opens notes.txt in the first tab, and the guest's view goes there.
    // (The guest's page has seen that move once the second tab's name tag shows there: the first tab has no cursor yet.)
    const seen = guest.page.waitForFunction(
      () => [...document.querySelectorAll("[class*=yRemoteSelectionHead-]")].some((el) => getComputedStyle(el, "::after").opacity === "1"),
      undefined,
      { polling: "raf", timeout: 30_000 },
    );
    await secondTab.locator(".monaco-editor .view-lines").click();
    await secondTab.keyboard.press("Control+End");
    await seen;
    await guest.page.getByTestId("person").filter({ hasText: ownerUser.username }).getByRole("button", { name: "Follow", exact: true }).click();
    await owner.page.getByTestId("file-notes.txt").click();
    await expect.poll(() => guest.page.locator(".tab.active").textContent(), SOON).toContain("notes.txt");
    expect(await guest.page.getByRole("button", { name: "Following", exact: true }).count()).toBe(1);

    for (const p of [owner, guest]) expect(p.problems).toEqual([]);
    for (const p of [owner, guest]) await p.context.close();
  }, 180_000);
});

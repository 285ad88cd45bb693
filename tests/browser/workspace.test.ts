import fs from "node:fs";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useBrowser, watchedPage } from "../support/browser";
import { api, PASSWORD, registerUser, uniqueIp, webUrl } from "../support/api";
import { addMember, type TestUser } from "../support/rooms";
import { ROOT } from "../support/stack";

/**
 * The workspace page after attack-web F7 and F14: a bounded room list with
 * "Show more", invitations to accept or decline, leaving a room (from the
 * list and from the room's header), the owner's pending invitations in the
 * Share panel, and signing out everywhere.
 */
const browser = useBrowser();

async function signedIn(username: string): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser().newContext({ viewport: { width: 1366, height: 900 }, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
  const { page, problems } = await watchedPage(context);
  // Leave and Decline all ask first.
  page.on("dialog", (dialog) => void dialog.accept());
  await page.goto(`${webUrl()}/signin`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${webUrl()}/`);
  return { context, page, problems };
}

const room = async (owner: TestUser, name: string) =>
  (await api("POST", "/api/v1/rooms", { token: owner.token, body: { name, language: "python" } })).json.id as string;
const rows = (page: Page) => page.getByTestId("room-list").first().locator("li");

describe("the workspace page", () => {
  it("shows a bounded room list with more on request, invitations to answer, and leaving rooms", async () => {
    const [me, teacher] = await Promise.all([registerUser(), registerUser()]);
    for (let i = 0; i < 48; i++) await room(me, `Mine ${String(i).padStart(2, "0")}`);
    const theirs: string[] = [];
    for (let i = 0; i < 7; i++) theirs.push(await room(teacher, `Class ${i}`));
    for (const id of theirs.slice(0, 5)) await addMember(id, teacher, me, "editor");
    // Two invitations wait for my answer on the page.
    for (const id of theirs.slice(5))
      expect((await api("POST", `/api/v1/rooms/${id}/members`, { token: teacher.token, body: { username: me.username, role: "viewer" } })).status).toBe(201);

    const { context, page, problems } = await signedIn(me.username);
    // 53 rooms: the first 50 are shown, most recently used first (the class rooms, joined last).
    await expect.poll(() => rows(page).count()).toBe(50);
    expect(await page.getByTestId("room-count").textContent()).toContain("Showing 50 of 53 rooms");
    await page.getByTestId("more-rooms").click();
    await expect.poll(() => rows(page).count()).toBe(53);
    await expect.poll(() => page.getByTestId("more-rooms").count()).toBe(0);

    // Invitations: accept one (into the room), decline the other.
    const invitations = page.getByTestId("room-invitations");
    await expect.poll(() => invitations.locator("li").count()).toBe(2);
    expect(await invitations.textContent()).toContain(`${teacher.username} invites you as viewer`);
    await page.getByRole("button", { name: "Accept the invitation to Class 6" }).click();
    await page.waitForURL(`${webUrl()}/rooms/${theirs[6]}`);
    expect(await page.getByTestId("my-role").textContent()).toBe("viewer");
    fs.mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, "test-results", "room-leave-button.png") });
    // The room's header has a Leave button for anyone but its owner (once the page is live).
    await expect.poll(() => page.getByTestId("connection").textContent(), { timeout: 60_000 }).toContain("Connected");
    // The room server closes a leaving member's sockets ("role changed") at once; let the answer to the
    // leave itself come late, as under load, so that close arrives first: the page must still go home.
    await page.route("**/api/v1/rooms/*/members/me", async (route) => {
      const response = await route.fetch();
      await new Promise((r) => setTimeout(r, 3000));
      await route.fulfill({ response });
    });
    await page.getByTestId("leave-room").click();
    await page.waitForURL(`${webUrl()}/`);
    expect((await api("GET", `/api/v1/rooms/${theirs[6]}`, { token: me.token })).status).toBe(404);
    await page.getByRole("button", { name: "Decline the invitation to Class 5" }).click();
    await expect.poll(() => page.getByTestId("room-invitations").count()).toBe(0);
    expect((await api("GET", "/api/v1/me/room-invitations", { token: me.token })).json.total).toBe(0);

    // Leaving from the list: a class room goes, my own rooms offer no Leave.
    await page.getByRole("button", { name: "Leave Class 0" }).click();
    await expect.poll(async () => (await api("GET", `/api/v1/rooms/${theirs[0]}`, { token: me.token })).status, { timeout: 30_000 }).toBe(404);
    await expect.poll(() => page.getByTestId("room-count").textContent(), { timeout: 30_000 }).toContain("of 52 rooms");
    expect(await page.getByRole("button", { name: "Leave Mine 00" }).count()).toBe(0);
    await page.screenshot({ path: path.join(ROOT, "test-results", "workspace-rooms.png"), fullPage: true });
    // Leaving closes the room's streams (their 404s are expected); nothing else went wrong.
    expect(problems.filter((p) => !p.includes("/api/v1/rooms/"))).toEqual([]);
    await context.close();
  });

  it("the Share panel invites by name: pending until accepted, and withdrawn with a click", async () => {
    const [owner, friend] = await Promise.all([registerUser(), registerUser()]);
    const id = await room(owner, "Shared by name");
    const { context, page } = await signedIn(owner.username);
    await page.goto(`${webUrl()}/rooms/${id}`);
    await page.getByTestId("share").click();
    await page.getByTestId("invite-username").fill(friend.username);
    await page.getByRole("button", { name: "Invite", exact: true }).click();
    expect(await page.getByTestId("invitation-sent").textContent()).toContain(`${friend.username} joins once they accept it`);
    await expect.poll(() => page.getByTestId("pending-invitations").textContent()).toContain(friend.username);
    expect(await page.getByTestId("members").locator("li").count()).toBe(1);
    await page.getByRole("button", { name: `Withdraw the invitation of ${friend.username}` }).click();
    await expect.poll(() => page.getByTestId("pending-invitations").count()).toBe(0);
    expect((await api("GET", "/api/v1/me/room-invitations", { token: friend.token })).json.total).toBe(0);
    await context.close();
  });

  it("signs out everywhere: other browsers' sessions end too", async () => {
    const user = await registerUser();
    const here = await signedIn(user.username);
    const elsewhere = await signedIn(user.username);
    await here.page.getByTestId("sign-out-everywhere").click();
    await here.page.waitForURL(/\/signin/);
    await elsewhere.page.goto(`${webUrl()}/`);
    await elsewhere.page.waitForURL(/\/signin/);
    expect((await api("GET", "/api/v1/me", { token: user.token })).status).toBe(401);
    await here.context.close();
    await elsewhere.context.close();
  });
});

import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/stack";
import { useBrowser, watchedPage } from "../support/browser";
import { api, registerUser, uniqueIp, webUrl } from "../support/api";

const browser = useBrowser();

describe("the Share panel", () => {
  it("makes a link with the chosen lifetime and shows when each link expires", async () => {
    const owner = await registerUser();
    const room = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "Expiring links", language: "python" } });
    const context = await browser().newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
    const { page } = await watchedPage(context);
    await page.goto(`${webUrl()}/signin?callbackUrl=${encodeURIComponent(`/rooms/${room.json.id}`)}`);
    await page.getByLabel("Username").fill(owner.username);
    await page.getByLabel("Password").fill(owner.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(`${webUrl()}/rooms/${room.json.id}`);

    await page.getByTestId("share").click();
    await page.getByLabel("How long the link works").selectOption({ label: "expires in 1 day" });
    await page.getByTestId("create-link").click();
    expect(await page.getByTestId("share-link").inputValue()).toContain("/join#samr_");
    await expect.poll(() => page.getByTestId("share-links").textContent()).toContain("expires");
    fs.mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, "test-results", "share-link-expiry.png") });

    const links = await api("GET", `/api/v1/rooms/${room.json.id}/share-links`, { token: owner.token });
    expect(links.json.links).toHaveLength(1);
    const days = (new Date(links.json.links[0].expiresAt).getTime() - Date.now()) / (24 * 3600_000);
    expect(days).toBeGreaterThan(0.9);
    expect(days).toBeLessThanOrEqual(1);
    await context.close();
  });
});

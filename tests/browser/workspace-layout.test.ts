import fs from "node:fs";
import path from "node:path";
import type { BrowserContextOptions, Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { api, PASSWORD, registerUser, uniqueIp, webUrl } from "../support/api";
import { useBrowser, watchedPage } from "../support/browser";
import { addMember, type TestUser } from "../support/rooms";
import { ROOT } from "../support/stack";

/**
 * The room's workspace that fits (issue 12): resizable panels, the output
 * usable at any height, light and dark themes (switched, and following the
 * system), the editor's font size, all remembered per person across reloads;
 * and disabled buttons that look disabled.
 */
const browser = useBrowser();

async function signedIn(user: TestUser, options: BrowserContextOptions = {}) {
  const context = await browser().newContext({ viewport: { width: 1366, height: 800 }, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() }, ...options });
  const { page, problems } = await watchedPage(context);
  await page.goto(`${webUrl()}/signin`);
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${webUrl()}/`);
  return { context, page, problems };
}

async function newRoom(owner: TestUser, name: string): Promise<string> {
  const created = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name, language: "python" } });
  expect(created.status).toBe(201);
  return created.json.id as string;
}

async function openRoom(page: Page, roomId: string) {
  await page.goto(`${webUrl()}/rooms/${roomId}`);
  await roomReady(page);
}

async function roomReady(page: Page) {
  await expect.poll(() => page.getByTestId("connection").textContent(), { timeout: 60_000 }).toContain("Connected");
  await page.locator(".monaco-editor").waitFor({ timeout: 60_000 });
}

async function box(locator: Locator) {
  const b = await locator.boundingBox();
  if (!b) throw new Error("element not shown");
  return b;
}

/** Drags a panel handle by (dx, dy) with the mouse, as a person would. */
async function drag(page: Page, handle: Locator, dx: number, dy: number) {
  const b = await box(handle);
  const x = b.x + b.width / 2;
  const y = b.y + b.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx, y + dy, { steps: 12 });
  await page.mouse.up();
}

const monacoTheme = (page: Page) =>
  page.evaluate(() => {
    const editor = document.querySelector(".monaco-editor");
    return editor?.classList.contains("vs-dark") ? "vs-dark" : editor?.classList.contains("vs") ? "vs" : "none";
  });
/** A picture for the README and for looking at by hand (test-results/ is not committed). */
async function picture(page: Page, name: string) {
  fs.mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
  await page.screenshot({ path: path.join(ROOT, "test-results", `${name}.png`) });
}

const pageBackground = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
// The two themes' --bg (app/globals.css).
const LIGHT_BG = "rgb(244, 245, 248)";
const DARK_BG = "rgb(15, 17, 23)";

describe("the room's workspace layout", () => {
  it("resizes by dragging the handles, keeps the output usable when small, and remembers the sizes", async () => {
    const owner = await registerUser();
    const roomId = await newRoom(owner, "Layout");
    const { context, page, problems } = await signedIn(owner);
    await openRoom(page, roomId);
    const side = page.getByTestId("panel-side");
    const dock = page.getByTestId("panel-dock");

    // Wider side bar: drag its handle to the right.
    const sideBefore = (await box(side)).width;
    await drag(page, page.getByTestId("handle-side"), 120, 0);
    await expect.poll(async () => (await box(side)).width).toBeGreaterThan(sideBefore + 90);
    // Taller dock: drag the handle between the editor and the dock up.
    const dockBefore = (await box(dock)).height;
    await drag(page, page.getByTestId("handle-dock"), 0, -120);
    await expect.poll(async () => (await box(dock)).height).toBeGreaterThan(dockBefore + 90);

    // Now as small as it goes: drag the handle down to the window's bottom edge.
    const handle = await box(page.getByTestId("handle-dock"));
    await drag(page, page.getByTestId("handle-dock"), 0, 795 - (handle.y + handle.height / 2));
    // The dock's smallest size (230 px: tabs, Run and the status line, and a few rows of output).
    await expect.poll(async () => (await box(dock)).height).toBeLessThan(260);
    const small = await box(dock);
    const sideWidth = (await box(side)).width;

    // A long output, run from the small panel: Run is there to click.
    await page.locator(".monaco-editor .view-lines").click();
    await page.keyboard.press("Control+A");
    await page.keyboard.type('for i in range(300): print("line", i)', { delay: 10 });
    await expect.poll(() => page.evaluate(() => document.querySelector(".view-lines")?.textContent ?? "")).toContain("range(300)");
    await page.getByTestId("run").click();
    // The text copy of the output (for screen readers) has it all; the terminal shows it.
    await expect.poll(() => page.getByTestId("output").textContent(), { timeout: 90_000 }).toContain("line 299");
    const output = page.getByTestId("output-terminal");
    await expect.poll(() => page.getByTestId("run-status").textContent(), { timeout: 60_000 }).toContain("Succeeded");

    // The output is in sight in the small panel and scrolls inside it, to its last line.
    const inSight = async () => {
      const d = await box(dock);
      const o = await box(output);
      return Math.min(o.y + o.height, d.y + d.height) - Math.max(o.y, d.y);
    };
    expect(await inSight()).toBeGreaterThan(40);
    // The terminal shows the end of the output: its last line is on screen, its first scrolled away.
    const onScreen = () => output.locator(".xterm-rows").evaluate((el) => (el.textContent ?? "").replace(/\u00a0/g, " "));
    await expect.poll(onScreen, { timeout: 30_000 }).toContain("line 299");
    expect(await onScreen()).not.toContain("line 0");
    await picture(page, "workspace-small-output");
    // Scrolling the whole run panel to its end still leaves Run and Stop in the panel, in sight.
    await page.locator(".run-panel").evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    const run = await box(page.getByTestId("run"));
    const d = await box(dock);
    expect(run.y).toBeGreaterThanOrEqual(d.y);
    expect(run.y + run.height).toBeLessThanOrEqual(d.y + d.height);

    // After a reload: the same sizes.
    await page.reload();
    await roomReady(page);
    await expect.poll(async () => Math.abs((await box(dock)).height - small.height)).toBeLessThan(6);
    expect(Math.abs((await box(side)).width - sideWidth)).toBeLessThan(6);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("follows the system's light or dark setting, live, in the page and in Monaco", async () => {
    const owner = await registerUser();
    const roomId = await newRoom(owner, "System theme");
    const { context, page, problems } = await signedIn(owner, { colorScheme: "light" });
    await openRoom(page, roomId);
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("system");
    expect(await page.getByTestId("theme").inputValue()).toBe("system");
    expect(await pageBackground(page)).toBe(LIGHT_BG);
    await expect.poll(() => monacoTheme(page)).toBe("vs");

    // The system turns dark while the page is open.
    await page.emulateMedia({ colorScheme: "dark" });
    await expect.poll(() => pageBackground(page)).toBe(DARK_BG);
    await expect.poll(() => monacoTheme(page)).toBe("vs-dark");
    expect(problems).toEqual([]);
    await context.close();
  });

  it("switches the theme from the top bar, paints it before any script after a reload, and keeps it for that person", async () => {
    const [owner, other] = await Promise.all([registerUser(), registerUser()]);
    const roomId = await newRoom(owner, "Chosen theme");
    const { context, page, problems } = await signedIn(owner, { colorScheme: "light" });
    await openRoom(page, roomId);
    await expect.poll(() => monacoTheme(page)).toBe("vs");

    await page.getByTestId("theme").selectOption("dark");
    await expect.poll(() => pageBackground(page)).toBe(DARK_BG);
    await expect.poll(() => monacoTheme(page)).toBe("vs-dark");
    // The terminal and other parts follow the same resolved theme; buttons and inputs follow the variables too.
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)).toBe("dark");
    await picture(page, "workspace-dark");

    // Reloaded: the server's HTML already carries the theme (no flash of the light one), and the switch shows it.
    const response = await page.reload();
    expect(await response?.text()).toMatch(/<html[^>]*data-theme="dark"/);
    await roomReady(page);
    expect(await page.getByTestId("theme").inputValue()).toBe("dark");
    await expect.poll(() => monacoTheme(page)).toBe("vs-dark");

    // Back to following the system (light here).
    await page.getByTestId("theme").selectOption("system");
    await expect.poll(() => pageBackground(page)).toBe(LIGHT_BG);
    await expect.poll(() => monacoTheme(page)).toBe("vs");
    await picture(page, "workspace-light");
    await page.getByTestId("theme").selectOption("dark");

    // Someone else on this browser picks light; when the owner comes back, the owner's own dark returns.
    await page.goto(`${webUrl()}/`);
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(/\/signin/);
    await page.getByLabel("Username").fill(other.username);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(`${webUrl()}/`);
    await page.getByTestId("theme").selectOption("light");
    await expect.poll(() => pageBackground(page)).toBe(LIGHT_BG);
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(/\/signin/);
    expect(await pageBackground(page)).toBe(LIGHT_BG); // the browser's last choice, before anyone signs in
    await page.getByLabel("Username").fill(owner.username);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(`${webUrl()}/`);
    await expect.poll(() => page.getByTestId("theme").inputValue()).toBe("dark");
    await expect.poll(() => pageBackground(page)).toBe(DARK_BG);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("changes the editor's font size and remembers it", async () => {
    const owner = await registerUser();
    const roomId = await newRoom(owner, "Font size");
    const { context, page, problems } = await signedIn(owner);
    await openRoom(page, roomId);
    const editorFont = () => page.evaluate(() => getComputedStyle(document.querySelector(".monaco-editor .view-lines")!).fontSize);
    await expect.poll(editorFont).toBe("14px");
    await page.getByTestId("font-size").selectOption("20");
    await expect.poll(editorFont).toBe("20px");
    await page.reload();
    await roomReady(page);
    expect(await page.getByTestId("font-size").inputValue()).toBe("20");
    await expect.poll(editorFont).toBe("20px");
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows disabled Run and Stop as clearly disabled, for a viewer and in both themes", async () => {
    const [owner, viewer] = await Promise.all([registerUser(), registerUser()]);
    const roomId = await newRoom(owner, "Disabled buttons");
    await addMember(roomId, owner, viewer, "viewer");
    const look = (button: Locator) =>
      button.evaluate((el) => {
        const s = getComputedStyle(el);
        return { opacity: Number(s.opacity), cursor: s.cursor, background: s.backgroundColor, disabled: (el as HTMLButtonElement).disabled };
      });

    for (const colorScheme of ["dark", "light"] as const) {
      const o = await signedIn(owner, { colorScheme });
      const v = await signedIn(viewer, { colorScheme });
      await openRoom(o.page, roomId);
      await openRoom(v.page, roomId);
      const enabled = await look(o.page.getByTestId("run"));
      expect(enabled).toMatchObject({ opacity: 1, cursor: "pointer", disabled: false });
      // Nothing runs: Stop is disabled for the owner; the viewer can use neither.
      for (const button of [o.page.getByTestId("stop"), v.page.getByTestId("run"), v.page.getByTestId("stop")]) {
        const disabled = await look(button);
        expect(disabled.disabled).toBe(true);
        expect(disabled.cursor).toBe("not-allowed");
        expect(disabled.opacity).toBeLessThan(0.6); // was 0.6 before the fix, with the accent colour and a "progress" cursor
        expect(disabled.background).not.toBe(enabled.background);
      }
      // Hovering a disabled button does not light it up.
      const before = await look(v.page.getByTestId("run"));
      await v.page.getByTestId("run").hover({ force: true });
      expect((await look(v.page.getByTestId("run"))).background).toBe(before.background);
      expect([...o.problems, ...v.problems]).toEqual([]);
      await o.context.close();
      await v.context.close();
    }
  });
});

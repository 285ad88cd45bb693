import { afterAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { filesOf, listFiles } from "../../lib/rooms/document";
import { api, PASSWORD, registerUser, uniqueIp, webUrl } from "../support/api";
import { useBrowser, watchedPage } from "../support/browser";
import { connectRoom, eventually, roomToken } from "../support/rooms";

/**
 * A program's output is untrusted and shown to everyone in the room. A
 * terminal hyperlink (OSC 8: ESC ] 8 ; ; URL BEL text ESC ] 8 ; ; BEL) lets it
 * draw any text that points anywhere, e.g. "helper.py:3" pointing at a
 * phishing page. xterm.js opens such links (after a confirm box) unless told
 * otherwise: the output panel and the shared terminal show them as plain text.
 */
const browser = useBrowser();
const contexts: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const c of contexts) await c.close();
});

describe("hyperlinks printed by a program", () => {
  it("are shown as text and never open a page or ask to", async () => {
    const owner = await registerUser();
    const created = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "Link room", language: "python" } });
    expect(created.status).toBe(201);
    const roomId = created.json.id as string;
    const program = 'print("\\x1b]8;;https://attacker.invalid/login\\x07open helper\\x1b]8;;\\x07 and more")\n';
    // The template's main.py, rewritten through a room connection as another tab would.
    const peer = connectRoom(roomId, () => roomToken(roomId, owner));
    try {
      await peer.synced;
      const main = listFiles(peer.doc).find((f) => f.path === "main.py");
      expect(main).toBeDefined();
      const text = filesOf(peer.doc).get(main!.id)?.get("text") as Y.Text;
      peer.doc.transact(() => {
        text.delete(0, text.length);
        text.insert(0, program);
      });
      await eventually("the room server to store main.py", async () => text.toString() === program && (await roomHas(roomId, owner, program)), 30_000);
    } finally {
      peer.destroy();
    }

    const context = await browser().newContext({ viewport: { width: 1366, height: 1000 }, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
    contexts.push(context);
    const { page } = await watchedPage(context);
    // Pages opened after the room's own one (a link opened in a new tab would be one).
    const opened: string[] = [];
    context.on("page", (p) => opened.push(p.url()));
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${webUrl()}/signin`);
    await page.getByLabel("Username").fill(owner.username);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(`${webUrl()}/`);
    await page.goto(`${webUrl()}/rooms/${roomId}`);
    await expect.poll(() => page.getByTestId("connection").textContent(), { timeout: 30_000 }).toContain("Connected");
    await page.getByTestId("run").click();
    await expect.poll(() => page.getByTestId("run-status").textContent(), { timeout: 60_000 }).toContain("Succeeded");
    await expect.poll(() => page.getByTestId("output").textContent(), { timeout: 30_000 }).toContain("open helper and more");

    // Point at the link's text and click it, as a curious member would (xterm finds links on hover).
    const point = await page.getByTestId("output-terminal").evaluate((host) => {
      for (const row of host.querySelectorAll(".xterm-rows > div")) {
        const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const at = (node.textContent ?? "").replace(/\u00a0/g, " ").indexOf("open helper");
          if (at < 0) continue;
          const range = document.createRange();
          range.setStart(node, at + 2);
          range.setEnd(node, at + 3);
          const box = range.getBoundingClientRect();
          return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
        }
      }
      return null;
    });
    expect(point).not.toBeNull();
    for (let i = 0; i < 3; i++) {
      await page.mouse.move(point!.x - 4, point!.y);
      await page.mouse.move(point!.x, point!.y);
      await page.waitForTimeout(400);
      await page.mouse.click(point!.x, point!.y);
    }
    await page.waitForTimeout(1000);
    expect(dialogs).toEqual([]);
    expect(opened).toEqual([]);
    expect(page.url()).toBe(`${webUrl()}/rooms/${roomId}`);
  }, 240_000);
});

async function roomHas(roomId: string, owner: Parameters<typeof roomToken>[1], content: string): Promise<boolean> {
  const check = connectRoom(roomId, () => roomToken(roomId, owner));
  try {
    await check.synced;
    return listFiles(check.doc).some((f) => f.path === "main.py" && f.content === content);
  } finally {
    check.destroy();
  }
}

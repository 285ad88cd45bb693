import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import * as Y from "yjs";
import { preferencesKey } from "../../app/_components/room/layout/preferences";
import { eventsKey } from "../../lib/executions/queue";
import { createRedis } from "../../lib/redis/connection";
import { addFile, filesOf, listFiles } from "../../lib/rooms/document";
import { api, PASSWORD, registerUser, uniqueIp, webUrl } from "../support/api";
import { useBrowser, watchedPage } from "../support/browser";
import { addMember, connectRoom, eventually, roomToken, type TestUser } from "../support/rooms";

const browser = useBrowser();
let redis: ReturnType<typeof createRedis>;
beforeAll(() => {
  redis = createRedis(inject("redisUrl"));
});
afterAll(() => {
  redis?.disconnect();
});

interface Person {
  context: BrowserContext;
  page: Page;
  problems: string[];
}

/** A room of `language` whose owner and an editor both have it open in their browsers; `files` replace the template. */
async function twoInRoom(
  language: string,
  files: Record<string, string>,
): Promise<{ roomId: string; ownerUser: TestUser; owner: Person; editor: Person; close(): Promise<void> }> {
  const [ownerUser, editorUser] = await Promise.all([registerUser(), registerUser()]);
  const created = await api("POST", "/api/v1/rooms", { token: ownerUser.token, body: { name: "Output room", language } });
  if (created.status !== 201) throw new Error(`room not created: ${created.status} ${created.text}`);
  const roomId = created.json.id as string;
  await addMember(roomId, ownerUser, editorUser, "editor");
  await writeFiles(roomId, ownerUser, files);
  const owner = await openRoom(ownerUser, roomId);
  const editor = await openRoom(editorUser, roomId);
  for (const p of [owner, editor]) {
    for (const path of Object.keys(files)) await p.page.getByTestId(`file-${path}`).waitFor({ timeout: 30_000 });
  }
  return {
    roomId,
    ownerUser,
    owner,
    editor,
    async close() {
      for (const p of [owner, editor]) await p.context.close();
    },
  };
}

/** Sets the room's files (by path) through a room connection of the owner's, as another tab would. */
async function writeFiles(roomId: string, owner: TestUser, files: Record<string, string>): Promise<void> {
  const peer = connectRoom(roomId, () => roomToken(roomId, owner));
  try {
    await peer.synced;
    peer.doc.transact(() => {
      const existing = listFiles(peer.doc);
      for (const [path, content] of Object.entries(files)) {
        const file = existing.find((f) => f.path === path);
        if (!file) {
          addFile(peer.doc, path, content);
          continue;
        }
        const text = filesOf(peer.doc).get(file.id)?.get("text") as Y.Text;
        text.delete(0, text.length);
        text.insert(0, content);
      }
    });
    await eventually(
      "the room server to store the files",
      async () => {
        const check = connectRoom(roomId, () => roomToken(roomId, owner));
        try {
          await check.synced;
          return Object.entries(files).every(([path, content]) => listFiles(check.doc).some((f) => f.path === path && f.content === content));
        } finally {
          check.destroy();
        }
      },
      30_000,
    );
  } finally {
    peer.destroy();
  }
}

async function openRoom(user: TestUser, roomId: string): Promise<Person> {
  // Tall enough that the output panel under the editor shows the whole traceback without scrolling.
  const context = await browser().newContext({ viewport: { width: 1366, height: 1200 }, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
  // A tall output panel, as if this person had dragged it up: the test reads the terminal's rows on screen.
  await context.addInitScript(
    ([key, value]) => {
      if (!localStorage.getItem(key!)) localStorage.setItem(key!, value!);
    },
    [preferencesKey(user.username), JSON.stringify({ fontSize: 13, dockTab: "output", rows: { "panel-editor": 40, "panel-dock": 60 } })],
  );
  const { page, problems } = await watchedPage(context);
  await page.goto(`${webUrl()}/signin`);
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${webUrl()}/`);
  await page.goto(`${webUrl()}/rooms/${roomId}`);
  await expect.poll(() => page.getByTestId("connection").textContent(), { timeout: 30_000 }).toContain("Connected");
  await page.locator(".monaco-editor").waitFor({ timeout: 30_000 });
  await page.getByTestId("output-terminal").locator(".xterm-rows").waitFor({ timeout: 30_000 });
  return { context, page, problems };
}

/** The output as a reader sees it (the terminal's screen as text: cursor movement applied). */
const outputText = (page: Page) => page.getByTestId("output").textContent();
const outputLines = async (page: Page) => ((await outputText(page)) ?? "").split("\n");
const status = (page: Page) => page.getByTestId("run-status").textContent();

/** The text of the terminal's cells drawn in one of the 16 ANSI colours (xterm's DOM renderer marks them xterm-fg-N). */
const textInColour = (page: Page, colour: number) =>
  page
    .getByTestId("output-terminal")
    .locator(`.xterm-rows span.xterm-fg-${colour}`)
    .evaluateAll((spans) => spans.map((s) => (s.textContent ?? "").replace(/\u00a0/g, " ")).join("|"));

/** Which file is open and the line the cursor is on (Monaco marks the cursor line's number). */
const openFile = (page: Page) => page.locator(".tab.active").textContent();
const cursorLine = (page: Page) => page.locator(".monaco-editor .line-numbers.active-line-number").first().textContent();

/**
 * Clicks the text `needle` in the terminal. xterm finds links as the pointer moves over a cell,
 * then opens one on click: move there first, and try again until `opened` holds.
 */
async function clickInTerminal(page: Page, needle: string, opened: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const point = await page.getByTestId("output-terminal").evaluate((host, needle) => {
      for (const row of host.querySelectorAll(".xterm-rows > div")) {
        const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const at = (node.textContent ?? "").replace(/\u00a0/g, " ").indexOf(needle);
          if (at < 0) continue;
          const range = document.createRange();
          range.setStart(node, at + 1);
          range.setEnd(node, at + 2);
          const box = range.getBoundingClientRect();
          return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
        }
      }
      return null;
    }, needle);
    if (point) {
      await page.mouse.move(point.x - 3, point.y);
      await page.mouse.move(point.x, point.y);
      await new Promise((r) => setTimeout(r, 300));
      await page.mouse.click(point.x, point.y);
      for (let i = 0; i < 10; i++) {
        if (await opened()) return;
        await new Promise((r) => setTimeout(r, 200));
      }
    } else await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`clicking "${needle}" in the output opened nothing`);
}

describe("the run panel's output, with two people", () => {
  it("colours, carriage returns, stderr, Clear, and a traceback that opens the file at the line", async () => {
    const room = await twoInRoom("python", {
      "main.py": [
        "import sys, helper",
        'print("\\x1b[31mred\\x1b[0m and plain")',
        'print("progress 10%", end="\\r", flush=True)',
        'print("progress 100%")',
        'print("to stderr", file=sys.stderr, flush=True)',
        "helper.boom()",
        "",
      ].join("\n"),
      "helper.py": ["# a helper", "def boom():", '    raise ValueError("boom")', ""].join("\n"),
    });
    const { owner, editor } = room;
    try {
      await owner.page.getByTestId("file-main.py").click();
      await editor.page.getByTestId("file-main.py").click();
      await owner.page.getByTestId("run").click();
      for (const p of [owner.page, editor.page]) {
        await expect.poll(() => status(p), { timeout: 60_000 }).toContain("Failed");
        await expect.poll(() => outputText(p), { timeout: 30_000 }).toContain("ValueError: boom");
        const lines = await outputLines(p);
        // The escape codes are not shown as text; the word is drawn red.
        expect(lines).toContain("red and plain");
        await expect.poll(() => textInColour(p, 1), { timeout: 10_000 }).toContain("red");
        expect(await textInColour(p, 1)).not.toContain("and plain");
        // "\r" went back to the start of the line: the second progress overwrote the first.
        expect(lines).toContain("progress 100%");
        expect(await outputText(p)).not.toContain("progress 10%");
        // stderr (with no colours of its own) is red.
        expect(await textInColour(p, 1)).toContain("to stderr");
      }

      // The traceback's line in helper.py is a link: the editor clicks it and helper.py opens at line 3.
      expect(await openFile(editor.page)).toContain("main.py");
      await clickInTerminal(editor.page, 'helper.py", line 3', async () => ((await openFile(editor.page)) ?? "").includes("helper.py"));
      await expect.poll(() => cursorLine(editor.page), { timeout: 10_000 }).toBe("3");
      // The owner's view did not move.
      expect(await openFile(owner.page)).toContain("main.py");
      // The places the output names are buttons too, for the keyboard: the owner goes to helper.py line 3 with Enter.
      expect(await owner.page.getByTestId("output-location").allTextContents()).toEqual(["main.py:6", "helper.py:3"]);
      await owner.page.getByTestId("output-location").filter({ hasText: "helper.py:3" }).focus();
      await owner.page.keyboard.press("Enter");
      await expect.poll(() => openFile(owner.page), { timeout: 10_000 }).toContain("helper.py");
      await expect.poll(() => cursorLine(owner.page), { timeout: 10_000 }).toBe("3");

      // Clear empties the owner's output only.
      await owner.page.getByTestId("clear-output").click();
      await expect.poll(() => outputText(owner.page)).toBe("");
      expect(await owner.page.getByTestId("output-terminal").locator(".xterm-rows").textContent()).not.toContain("boom");
      expect(await outputText(editor.page)).toContain("ValueError: boom");
      // The next run shows in full again.
      await owner.page.getByTestId("run").click();
      await expect.poll(() => outputText(owner.page), { timeout: 60_000 }).toContain("ValueError: boom");

      for (const p of [owner, editor]) expect(p.problems).toEqual([]);
    } finally {
      await room.close();
    }
  }, 300_000);

  it("a C compiler error opens main.c at the line of the error", async () => {
    const room = await twoInRoom("c", {
      "main.c": ["#include <stdio.h>", "", "int main(void) {", '    printf("hi\\n");', "    return oops;", "}", ""].join("\n"),
      "notes.txt": "nothing to see\n",
    });
    const { owner, editor } = room;
    try {
      await owner.page.getByTestId("run").click();
      for (const p of [owner.page, editor.page]) {
        await expect.poll(() => status(p), { timeout: 90_000 }).toContain("Compile error");
        await expect.poll(() => outputText(p), { timeout: 30_000 }).toMatch(/main\.c:5:\d+: error/);
      }
      await editor.page.getByTestId("file-notes.txt").click();
      await expect.poll(() => openFile(editor.page)).toContain("notes.txt");
      await clickInTerminal(editor.page, "main.c:5:", async () => ((await openFile(editor.page)) ?? "").includes("main.c"));
      await expect.poll(() => cursorLine(editor.page), { timeout: 10_000 }).toBe("5");
      for (const p of [owner, editor]) expect(p.problems).toEqual([]);
    } finally {
      await room.close();
    }
  }, 300_000);

  it("input given before and during a run shows for everyone, the status agrees with the history, and a reload shows the last run", async () => {
    const room = await twoInRoom("python", {
      "main.py": ["first = input()", 'print("got", first)', "second = input()", 'print("then", second)', ""].join("\n"),
    });
    const { owner, editor } = room;
    try {
      // Input given before the run is part of the room's run configuration.
      await owner.page.getByTestId("run-config-stdin").fill("typed ahead");
      await owner.page.getByTestId("run").click();

      // Waiting for the second line: running, and the history says so too (one truth for both).
      for (const p of [owner.page, editor.page]) {
        await expect.poll(() => outputText(p), { timeout: 60_000 }).toContain("got typed ahead");
        await expect.poll(() => status(p), { timeout: 30_000 }).toContain("Running");
        await expect.poll(() => p.getByTestId("history").locator("li").first().textContent(), { timeout: 30_000 }).toContain("Running");
        expect(await p.getByTestId("history").textContent()).not.toContain("Queued");
      }
      await owner.page.getByTestId("live-input").fill("typed live");
      await owner.page.getByTestId("live-input").press("Enter");

      // Both inputs show as input lines (green), in order with the output, for both people.
      for (const p of [owner.page, editor.page]) {
        await expect.poll(() => status(p), { timeout: 30_000 }).toContain("Succeeded");
        await expect.poll(() => outputLines(p), { timeout: 30_000 }).toEqual(["typed ahead", "got typed ahead", "typed live", "then typed live"]);
        const green = await textInColour(p, 2);
        expect(green).toContain("typed ahead");
        expect(green).toContain("typed live");
        await expect.poll(() => p.getByTestId("history").locator("li").first().textContent(), { timeout: 30_000 }).toContain("Succeeded");
      }

      // After a reload: the last run, its output and its input, not "Nothing has run yet.".
      await editor.page.reload();
      await expect.poll(() => status(editor.page), { timeout: 30_000 }).toContain("Succeeded");
      expect(await status(editor.page)).not.toContain("Nothing has run yet");
      await expect.poll(() => outputText(editor.page), { timeout: 30_000 }).toContain("then typed live");
      expect(await outputLines(editor.page)).toContain("typed ahead");
      expect(await textInColour(editor.page, 2)).toContain("typed ahead");

      // Once the live stream is gone (it expires a minute after the run), a reload shows the stored
      // output, and the input given with the run still first (input typed live is not stored).
      const runs = await api("GET", `/api/v1/rooms/${room.roomId}/runs`, { token: room.ownerUser.token });
      await redis.del(eventsKey(runs.json.runs[0].id));
      await owner.page.reload();
      await expect.poll(() => status(owner.page), { timeout: 60_000 }).toContain("Succeeded");
      await expect.poll(() => outputLines(owner.page), { timeout: 60_000 }).toEqual(["typed ahead", "got typed ahead", "then typed live"]);
      expect(await textInColour(owner.page, 2)).toContain("typed ahead");

      for (const p of [owner, editor]) expect(p.problems).toEqual([]);
    } finally {
      await room.close();
    }
  }, 300_000);
});

import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import * as Y from "yjs";
import { filesOf, foldersOf, listFiles } from "../../lib/rooms/document";
import { api, PASSWORD, registerUser, webUrl } from "../support/api";
import { useBrowser, watchedPage } from "../support/browser";
import { connectRoom, eventually, roomToken, storedCopy } from "../support/rooms";

const browser = useBrowser();
const pool = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
afterAll(() => pool.end());

/**
 * A room page must show whatever a room's document holds (attack-web F8).
 * One editor's file with a 10 KB path (5,000 folders deep) made every
 * member's page crash ("Maximum call stack size exceeded") for good. The
 * room server now refuses such changes, but a document stored before it did
 * (or brought by a misbehaving process) may hold anything: here it is
 * written straight into the database, beside the room's good file.
 */
function brokenDocument(stored: Uint8Array): Buffer {
  const doc = storedCopy(stored);
  doc.transact(() => {
    const entry = (path: unknown) => {
      const e = new Y.Map<unknown>();
      e.set("path", path);
      e.set("text", new Y.Text("print('hidden')"));
      return e;
    };
    filesOf(doc).set("deep", entry(`${"d/".repeat(5000)}x.py`));
    filesOf(doc).set("number", entry(42));
    filesOf(doc).set("object", entry({ toString: "x" }));
    filesOf(doc).set("dots", entry("../../etc/passwd"));
    filesOf(doc).set("no-path", new Y.Map());
    (filesOf(doc) as Y.Map<unknown>).set("not-a-map", "just a string");
    foldersOf(doc).set(`${"f/".repeat(3000)}end`, true);
    foldersOf(doc).set("/absolute", true);
    (foldersOf(doc) as Y.Map<unknown>).set("odd-value", { nested: [1, 2] });
    foldersOf(doc).set("docs", true);
    doc.getArray("junk").insert(0, [new Y.Map(), "x", 1]);
  });
  return Buffer.from(Y.encodeStateAsUpdate(doc));
}

describe("a room page and a document it cannot show in full", () => {
  it("shows the good files, leaves the rest out, and keeps working", async () => {
    const owner = await registerUser();
    const created = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "Broken", language: "python" } });
    const roomId = created.json.id as string;
    const { rows } = await pool.query<{ state: Buffer }>('SELECT state FROM "RoomDocument" WHERE "roomId" = $1', [roomId]);
    await pool.query('UPDATE "RoomDocument" SET state = $1 WHERE "roomId" = $2', [brokenDocument(new Uint8Array(rows[0]!.state)), roomId]);

    const context = await browser().newContext({ viewport: { width: 1366, height: 800 } });
    const { page, problems } = await watchedPage(context);
    const peer = connectRoom(roomId, () => roomToken(roomId, owner));
    try {
      await page.goto(`${webUrl()}/signin`);
      await page.getByLabel("Username").fill(owner.username);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.waitForURL(`${webUrl()}/`);
      await page.goto(`${webUrl()}/rooms/${roomId}`);
      await expect.poll(() => page.getByTestId("connection").textContent(), { timeout: 30_000 }).toContain("Connected");
      await page.locator(".monaco-editor").waitFor({ timeout: 30_000 });

      // The good file and folder, and nothing else.
      await expect
        .poll(() => page.locator('[data-testid^="file-"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-testid"))))
        .toEqual(["file-main.py"]);
      expect(await page.locator(".tree-folder").allTextContents()).toEqual(["docs/"]);
      expect(await page.getByTestId("room-failed").count()).toBe(0);

      // Still a working room: typing reaches another member.
      await peer.synced;
      await page.locator(".monaco-editor .view-lines").click();
      await page.keyboard.press("Control+End");
      await page.keyboard.type("\n# typed beside a broken document", { delay: 15 });
      await eventually("the peer to receive the typing", () => listFiles(peer.doc).some((f) => f.content.includes("# typed beside a broken document")), 15_000);
      expect(problems).toEqual([]);
    } finally {
      peer.destroy();
      await context.close();
    }
  }, 120_000);
});

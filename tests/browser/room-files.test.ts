import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { unzipSync, zipSync } from "fflate";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { PASSWORD, registerUser, uniqueIp, webUrl } from "../support/api";
import { useBrowser, watchedPage } from "../support/browser";
import { roomWithMembers } from "../support/rooms";

/**
 * Files in and out of a room, in Chromium, with two people: an editor uploads
 * (the pickers, and drops on the tree) and the viewer sees the files arrive
 * live; what is refused is listed with its reason; a file and the whole room
 * download; a zip makes a new room from the home page; and names are typed in
 * a field in the tree, never in window.prompt.
 */
const browser = useBrowser();
const contexts: BrowserContext[] = [];
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
});

async function signedIn(username: string): Promise<{ page: Page; problems: string[]; dialogs: string[] }> {
  const context = await browser().newContext({
    extraHTTPHeaders: { "x-forwarded-for": uniqueIp() },
    viewport: { width: 1366, height: 900 },
    acceptDownloads: true,
  });
  contexts.push(context);
  const { page, problems } = await watchedPage(context);
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`${webUrl()}/signin`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${webUrl()}/`);
  return { page, problems, dialogs };
}

/** Sign-ups hash passwords, a few at a time per server: on a busy test machine one may answer 503 busy. Try again then. */
async function retried<T>(make: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await make();
    } catch (err) {
      if (attempt >= 6 || !String(err).includes("503")) throw err;
      await new Promise((r) => setTimeout(r, 2000 * attempt));
    }
  }
}

async function openRoom(page: Page, roomId: string): Promise<void> {
  await page.goto(`${webUrl()}/rooms/${roomId}`);
  await expect.poll(() => page.getByTestId("connection").textContent(), { timeout: 30_000 }).toContain("Connected");
  await page.getByTestId("file-main.py").waitFor({ timeout: 30_000 });
}

const editorText = (page: Page) =>
  page.evaluate(() => [...document.querySelectorAll(".view-lines .view-line")].map((l) => (l.textContent ?? "").replace(/\u00a0/g, " ")).join("\n"));

const refusals = async (page: Page) => (await page.getByTestId("upload-refusals").locator("li").allTextContents()).sort();

/** Drops files on an element of the page, as the browser does for a drag from the desktop: dragover, then drop, with a DataTransfer. */
async function dropFiles(page: Page, selector: string, files: Array<{ name: string; text: string }>): Promise<void> {
  await page.evaluate(
    ({ selector, files }) => {
      const target = document.querySelector(selector)!;
      const data = new DataTransfer();
      for (const f of files) data.items.add(new File([f.text], f.name, { type: "text/plain" }));
      target.dispatchEvent(new DragEvent("dragover", { dataTransfer: data, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
    },
    { selector, files },
  );
}

describe("files in and out of a room, in the browser", () => {
  it("an editor uploads files and a folder (picker and drop), the viewer sees them live; refusals say why", async () => {
    const { roomId, editor: editorUser, viewer: viewerUser } = await retried(() => roomWithMembers());
    const editor = await signedIn(editorUser.username);
    const viewer = await signedIn(viewerUser.username);
    await openRoom(editor.page, roomId);
    await openRoom(viewer.page, roomId);
    // A viewer reads and downloads, and cannot upload.
    expect(await viewer.page.getByRole("button", { name: "Upload files" }).count()).toBe(0);
    await viewer.page.getByTestId("download-zip").waitFor();

    // The picker: a text file goes in; a binary and a too large one are refused by name; main.py exists, so the editor is asked.
    await editor.page.getByTestId("upload-files-input").setInputFiles([
      { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("shared notes\n") },
      { name: "logo.png", mimeType: "image/png", buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]) },
      { name: "big.txt", mimeType: "text/plain", buffer: Buffer.alloc(1024 * 1024 + 10, 0x61) },
      { name: "main.py", mimeType: "text/plain", buffer: Buffer.from('print("uploaded over the template")\n') },
    ]);
    await editor.page.getByRole("alertdialog", { name: "Replace existing files?" }).waitFor();
    expect(await editor.page.getByRole("alertdialog").textContent()).toContain("main.py");
    expect(await refusals(editor.page)).toEqual([
      "big.txt is too large (1.0 MiB); a room file may be at most 1.0 MiB",
      "logo.png is binary; rooms hold text files only",
    ]);
    await editor.page.getByTestId("upload-replace").click();
    await expect.poll(() => editor.page.getByTestId("upload-done").textContent()).toBe("Uploaded 2 files.");
    await viewer.page.getByTestId("file-notes.txt").waitFor({ timeout: 20_000 });
    await viewer.page.getByTestId("file-main.py").click();
    await expect.poll(() => editorText(viewer.page), { timeout: 20_000 }).toContain('print("uploaded over the template")');
    expect(await viewer.page.getByTestId("file-big.txt").count()).toBe(0);
    expect(await viewer.page.getByTestId("file-logo.png").count()).toBe(0);

    // Uploading main.py again and choosing "Skip them" keeps it as it was.
    await editor.page.getByTestId("upload-files-input").setInputFiles([{ name: "main.py", mimeType: "text/plain", buffer: Buffer.from("# lost\n") }]);
    await editor.page.getByTestId("upload-skip").click();
    await expect.poll(() => editor.page.getByTestId("upload-done").textContent()).toBe("Uploaded 0 files; kept 1 existing file as they were.");

    // The folder picker: the folder comes with its inside, binary files refused.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "room-upload-"));
    fs.mkdirSync(path.join(dir, "pkg", "sub"), { recursive: true });
    fs.writeFileSync(path.join(dir, "pkg", "a.py"), "A = 1\n");
    fs.writeFileSync(path.join(dir, "pkg", "sub", "b.py"), "B = 2\n");
    fs.writeFileSync(path.join(dir, "pkg", "blob.bin"), Buffer.from([1, 0, 2, 0]));
    await editor.page.getByTestId("upload-folder-input").setInputFiles(path.join(dir, "pkg"));
    await viewer.page.getByTestId("file-pkg/sub/b.py").waitFor({ timeout: 20_000 });
    await viewer.page.getByTestId("file-pkg/a.py").waitFor();
    await expect.poll(() => refusals(editor.page)).toEqual(["pkg/blob.bin is binary; rooms hold text files only"]);

    // A drop on the tree puts files at the top; on a folder's row, into that folder. A bad name is refused.
    await dropFiles(editor.page, "[data-testid=tree-panel] .tree", [
      { name: "dropped.py", text: "print('dropped')\n" },
      { name: "back\\slash.py", text: "x\n" },
    ]);
    await viewer.page.getByTestId("file-dropped.py").waitFor({ timeout: 20_000 });
    await expect
      .poll(() => refusals(editor.page))
      .toEqual(["back\\slash.py has a name a room cannot hold: file names must not contain a backslash; use / between folders"]);
    await dropFiles(editor.page, '[data-drop-folder="pkg"] .tree-folder', [{ name: "into.py", text: "print('in pkg')\n" }]);
    await viewer.page.getByTestId("file-pkg/into.py").waitFor({ timeout: 20_000 });

    // Too many files: the room holds 6; of 95 more, 94 go in and the last is refused by name.
    const many = Array.from({ length: 95 }, (_, i) => ({ name: `m${String(i).padStart(2, "0")}.txt`, text: `${i}\n` }));
    await dropFiles(editor.page, "[data-testid=tree-panel] .tree", many);
    await expect.poll(() => editor.page.getByTestId("upload-done").textContent(), { timeout: 20_000 }).toBe("Uploaded 94 files.");
    expect(await refusals(editor.page)).toEqual(["m94.txt was not added: too many files (a room holds at most 100)"]);
    await viewer.page.getByTestId("file-m93.txt").waitFor({ timeout: 20_000 });

    // Downloads, as the viewer: one file from the tree, and the whole room as a zip.
    await viewer.page.getByTestId("file-notes.txt").hover();
    const [file] = await Promise.all([viewer.page.waitForEvent("download"), viewer.page.getByRole("button", { name: "Download notes.txt" }).click()]);
    expect(file.suggestedFilename()).toBe("notes.txt");
    expect(fs.readFileSync((await file.path())!, "utf8")).toBe("shared notes\n");
    const [zip] = await Promise.all([viewer.page.waitForEvent("download"), viewer.page.getByTestId("download-zip").click()]);
    expect(zip.suggestedFilename()).toBe("Test-room.zip");
    const entries = unzipSync(fs.readFileSync((await zip.path())!));
    expect(Object.keys(entries)).toHaveLength(100);
    expect(Buffer.from(entries["Test-room/pkg/sub/b.py"]!).toString()).toBe("B = 2\n");
    expect(Buffer.from(entries["Test-room/main.py"]!).toString()).toBe('print("uploaded over the template")\n');

    expect(editor.dialogs).toEqual([]);
    expect(editor.problems).toEqual([]);
    expect(viewer.problems).toEqual([]);
  });

  it("names new files, folders and renames in a field in the tree: Enter creates, Escape cancels, errors inline", async () => {
    const { roomId, editor: editorUser, viewer: viewerUser } = await retried(() => roomWithMembers());
    const editor = await signedIn(editorUser.username);
    const viewer = await signedIn(viewerUser.username);
    await openRoom(editor.page, roomId);
    await openRoom(viewer.page, roomId);
    const field = editor.page.getByTestId("tree-name-field");

    await editor.page.getByTestId("new-file").click();
    await field.fill("src/../x.py");
    await field.press("Enter");
    await expect.poll(() => editor.page.getByTestId("tree-name-error").textContent()).toContain("'..'");
    expect(await field.isVisible()).toBe(true);
    await field.fill("main.py");
    await field.press("Enter");
    await expect.poll(() => editor.page.getByTestId("tree-name-error").textContent()).toBe('"main.py" already exists.');
    await field.press("Escape");
    expect(await field.count()).toBe(0);

    await editor.page.getByTestId("new-file").click();
    await field.fill("src/util.py");
    await field.press("Enter");
    expect(await field.count()).toBe(0);
    await viewer.page.getByTestId("file-src/util.py").waitFor({ timeout: 20_000 });

    await editor.page.getByTestId("new-folder").click();
    await field.fill("docs");
    await field.press("Enter");
    await viewer.page.locator('[data-drop-folder="docs"]').waitFor({ timeout: 20_000 });

    await editor.page.getByTestId("file-src/util.py").hover();
    await editor.page.getByRole("button", { name: "Rename or move src/util.py" }).click();
    expect(await field.inputValue()).toBe("src/util.py");
    await field.fill("docs/helpers.py");
    await field.press("Enter");
    await viewer.page.getByTestId("file-docs/helpers.py").waitFor({ timeout: 20_000 });
    expect(await viewer.page.getByTestId("file-src/util.py").count()).toBe(0);
    // The viewer has no such controls.
    expect(await viewer.page.getByTestId("new-file").count()).toBe(0);

    expect(editor.dialogs).toEqual([]);
    expect(editor.problems).toEqual([]);
    expect(viewer.problems).toEqual([]);
  });

  it("creates a room from a zip on the home page, listing what it skipped; a bad zip is refused with the reason", async () => {
    const user = await retried(() => registerUser());
    const me = await signedIn(user.username);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "room-zip-"));
    const bad = path.join(dir, "bad.zip");
    fs.writeFileSync(bad, zipSync({ "../evil.py": new TextEncoder().encode("x") }));
    await me.page.getByTestId("import-zip").setInputFiles(bad);
    expect(await me.page.getByTestId("import-name").inputValue()).toBe("bad");
    await me.page.getByTestId("import-room").click();
    await expect.poll(() => me.page.getByTestId("import-error").textContent()).toContain('"../evil.py", which points outside the archive');

    const good = path.join(dir, "my-project-main.zip");
    const enc = (s: string) => new TextEncoder().encode(s);
    fs.writeFileSync(
      good,
      zipSync({
        "my-project-main": { "main.py": enc('print("from the zip")\n'), src: { "lib.py": enc("X = 1\n") }, "logo.png": new Uint8Array([0x89, 0x50, 0, 0]) },
      }),
    );
    await me.page.getByTestId("import-zip").setInputFiles(good);
    await me.page.getByTestId("import-name").fill("Imported project");
    await me.page.getByTestId("import-room").click();
    await expect.poll(() => me.page.getByTestId("import-skipped").textContent()).toBe("logo.png is binary; rooms hold text files only");
    await me.page.getByTestId("import-open").click();
    await me.page.waitForURL(/\/rooms\/[0-9a-f-]{36}$/);
    await me.page.getByTestId("file-src/lib.py").waitFor({ timeout: 30_000 });
    await me.page.getByTestId("file-main.py").click();
    await expect.poll(() => editorText(me.page), { timeout: 30_000 }).toContain('print("from the zip")');
    expect(await me.page.locator(".room-title, h1").first().textContent()).toContain("Imported project");
    // The refused zip's 400 (and the browser's console line about it) is the only failure.
    expect(me.problems).toContain("response: 400 /api/v1/rooms/import");
    expect(me.problems.filter((p) => !p.includes("400"))).toEqual([]);
  });
});

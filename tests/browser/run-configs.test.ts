import fs from "node:fs";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import type * as Y from "yjs";
import { addFile, filesOf } from "../../lib/rooms/document";
import { readRunConfig } from "../../lib/rooms/run-config";
import { useBrowser, watchedPage } from "../support/browser";
import { api, PASSWORD, registerUser, uniqueIp, webUrl } from "../support/api";
import { addMember, connectRoom, eventually, roomToken, type TestUser } from "../support/rooms";
import { ROOT } from "../support/stack";

/**
 * Run configurations in the browser, with three people in a room holding
 * main.py and main.c: the owner switches the shared configuration to C with
 * args and input, the editor sees it change live and runs it, "Run this
 * file" runs the open python file as python without touching the
 * configuration, and a viewer sees the configuration but cannot change it.
 * A new room's form starts on python.
 */
const browser = useBrowser();

async function signedIn(username: string): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser().newContext({ viewport: { width: 1440, height: 900 }, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
  const { page, problems } = await watchedPage(context);
  await page.goto(`${webUrl()}/signin`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${webUrl()}/`);
  return { context, page, problems };
}

async function openRoom(page: Page, roomId: string) {
  await page.goto(`${webUrl()}/rooms/${roomId}`);
  await expect.poll(() => page.getByTestId("connection").textContent(), { timeout: 60_000 }).toContain("Connected");
  await page.getByTestId("file-main.c").waitFor({ timeout: 60_000 });
}

const C_PROGRAM =
  '#include <stdio.h>\nint main(int argc, char **argv) {\n  int a = 0, b = 0;\n  if (scanf("%d %d", &a, &b) != 2) return 3;\n  printf("C argc=%d second=%s sum=%d\\n", argc, argc > 2 ? argv[2] : "-", a + b);\n  return 0;\n}\n';
const PY_PROGRAM = 'import sys\nprint("PY", sys.argv[1:], input())\n';

/** The newest run of the room once it finished, as its starter sees it through the API. */
async function newestRun(roomId: string, user: TestUser, after: Set<string>) {
  let id: string | undefined;
  await eventually(
    "a new run to appear",
    async () => {
      const runs = (await api("GET", `/api/v1/rooms/${roomId}/runs`, { token: user.token })).json.runs as Array<{ id: string }>;
      id = runs.find((r) => !after.has(r.id))?.id;
      return id !== undefined;
    },
    60_000,
  );
  after.add(id!);
  let view: any;
  await eventually(
    "the run to finish",
    async () => {
      view = (await api("GET", `/api/v1/executions/${id}`, { token: user.token })).json;
      return !["queued", "running"].includes(view?.status);
    },
    120_000,
  );
  return view;
}

describe("run configurations in a room", () => {
  it("one person switches to C with args and input, another sees it live and runs it; Run this file; a viewer only reads", async () => {
    const [ownerUser, editorUser, viewerUser] = await Promise.all([registerUser(), registerUser(), registerUser()]);
    const owner = await signedIn(ownerUser.username);

    // The new-room form starts on python (not bash, the first alphabetically): creating without choosing gives python.
    expect(await owner.page.getByTestId("new-room-language").inputValue()).toBe("python");
    await owner.page.getByTestId("new-room-name").fill("Two languages");
    await owner.page.getByTestId("create-room").click();
    await owner.page.waitForURL(/\/rooms\/[0-9a-f-]{36}$/);
    const roomId = owner.page.url().split("/").pop()!;
    expect((await api("GET", `/api/v1/rooms/${roomId}`, { token: ownerUser.token })).json.language).toBe("python");
    await addMember(roomId, ownerUser, editorUser, "editor");
    await addMember(roomId, ownerUser, viewerUser, "viewer");

    // The room holds main.py and main.c.
    const setup = connectRoom(roomId, () => roomToken(roomId, ownerUser));
    const seen = new Set<string>();
    try {
      await setup.synced;
      setup.doc.transact(() => {
        const text = [...filesOf(setup.doc).values()][0]!.get("text") as Y.Text;
        text.delete(0, text.length);
        text.insert(0, PY_PROGRAM);
        addFile(setup.doc, "main.c", C_PROGRAM);
      });
      await eventually("the files to reach the server", () => setup.provider.unsyncedChanges === 0);

      const editor = await signedIn(editorUser.username);
      const viewer = await signedIn(viewerUser.username);
      await Promise.all([openRoom(owner.page, roomId), openRoom(editor.page, roomId), openRoom(viewer.page, roomId)]);

      // The owner switches the configuration to C, main.c, with args and input.
      await expect.poll(() => owner.page.getByTestId("run-config-language").locator("option").count(), { timeout: 30_000 }).toBeGreaterThan(1);
      // An entry of another language than the configuration's is pointed out (not forbidden).
      await owner.page.getByTestId("run-config-entry").selectOption("main.c");
      await expect
        .poll(() => owner.page.getByTestId("run-config-mismatch").textContent(), { timeout: 30_000 })
        .toBe("main.c looks like c; the run uses python.");
      await owner.page.getByTestId("run-config-language").selectOption("c");
      await expect.poll(() => owner.page.getByTestId("run-config-mismatch").count(), { timeout: 30_000 }).toBe(0);
      await owner.page.getByTestId("run-config-args").fill("first 'two words'");
      await owner.page.getByTestId("run-config-stdin").fill("20 22");
      await owner.page.getByTestId("run-config-stdin").blur();

      // The editor and the viewer see it change, live.
      for (const page of [editor.page, viewer.page]) {
        await expect.poll(() => page.getByTestId("run-config-language").inputValue(), { timeout: 30_000 }).toBe("c");
        await expect.poll(() => page.getByTestId("run-config-entry").inputValue(), { timeout: 30_000 }).toBe("main.c");
        await expect.poll(() => page.getByTestId("run-config-args").inputValue(), { timeout: 30_000 }).toBe("first 'two words'");
        await expect.poll(() => page.getByTestId("run-config-stdin").inputValue(), { timeout: 30_000 }).toBe("20 22");
      }

      // The editor's Run runs the C program with those args and that input.
      await editor.page.getByTestId("run").click();
      const cRun = await newestRun(roomId, editorUser, seen);
      expect(cRun).toMatchObject({ language: "c", status: "succeeded", stdout: "C argc=3 second=two words sum=42\n" });

      // Run this file, on the python file: python runs it once (with the configuration's args and input)...
      await editor.page.getByTestId("file-main.py").click();
      await expect.poll(() => editor.page.getByTestId("run-this-file").textContent(), { timeout: 30_000 }).toContain("python");
      await editor.page.getByTestId("run-this-file").click();
      const pyRun = await newestRun(roomId, editorUser, seen);
      expect(pyRun).toMatchObject({ language: "python", status: "succeeded", stdout: "PY ['first', 'two words'] 20 22\n" });
      // ...and the room's configuration is unchanged, for everyone.
      expect(readRunConfig(setup.doc)).toEqual({ entry: "main.c", language: "c", args: ["first", "two words"], stdin: "20 22" });
      expect(await owner.page.getByTestId("run-config-language").inputValue()).toBe("c");

      fs.mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
      await viewer.page.screenshot({ path: path.join(ROOT, "test-results", "run-config-viewer.png") });
      // The viewer sees the configuration but cannot change it, nor run.
      expect(await viewer.page.getByTestId("run-config-language").isDisabled()).toBe(true);
      expect(await viewer.page.getByTestId("run-config-entry").isDisabled()).toBe(true);
      expect(await viewer.page.getByTestId("run-config-args").getAttribute("readonly")).not.toBeNull();
      expect(await viewer.page.getByTestId("run-config-stdin").getAttribute("readonly")).not.toBeNull();
      await viewer.page.getByTestId("run-config-stdin").press("End");
      await viewer.page.keyboard.type("99");
      expect(await viewer.page.getByTestId("run-config-stdin").inputValue()).toBe("20 22");
      expect(await viewer.page.getByTestId("run").isDisabled()).toBe(true);
      await viewer.page.getByTestId("file-main.py").click();
      expect(await viewer.page.getByTestId("run-this-file").isDisabled()).toBe(true);
      expect(readRunConfig(setup.doc).stdin).toBe("20 22");

      for (const person of [owner, editor, viewer]) expect(person.problems).toEqual([]);
      await Promise.all([editor.context.close(), viewer.context.close()]);
    } finally {
      setup.destroy();
      await owner.context.close();
    }
  });
});

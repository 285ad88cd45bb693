/**
 * The README's pictures of the room (docs/images/room.png and
 * docs/images/terminal.png), made from real work: two people sign in with
 * Chromium and open the same python room (main.py, helper.py and a main.c),
 * one of them runs it in the sandbox, the other moves about in the editor;
 * then one of them starts the shared terminal and types a few commands.
 *
 *   room.png      1366x860, dark theme: the run's output (colours and a
 *                 traceback whose file:line places are links), the other
 *                 person's cursor and name tag, the people list, the run
 *                 configuration bar.
 *   terminal.png  1366x860, light theme: the Terminal tab of the same kind
 *                 of room after an editor ran `ls`, python and `echo $PATH`.
 *
 *   node --import tsx scripts/screenshots/room.ts [out-dir]
 *
 * Against a running stack (web, collab and runner; registration open): set
 * SAM_URL=http://host:port. Without SAM_URL it starts a throwaway one the
 * way the test suite does (PostgreSQL, Redis, web, collab, runner on the
 * test sandbox image; `npm test`'s setup builds what it needs, run it once
 * first) and stops it afterwards.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type * as Y from "yjs";
import { addFile, filesOf, listFiles } from "../../lib/rooms/document";
import { preferencesKey } from "../../app/_components/room/layout/preferences";
import { THEME_COOKIE, type Theme } from "../../app/_components/theme/theme-choice";
import { api, PASSWORD, uniqueIp } from "../../tests/support/api";
import { launchBrowser, watchedPage } from "../../tests/support/browser";
import { colorFor } from "../../lib/rooms/presence";
import { connectRoom } from "../../tests/support/rooms";

const ROOT = path.resolve(import.meta.dirname, "../..");
const OUT_DIR = path.resolve(process.argv[2] ?? path.join(ROOT, "docs/images"));
const VIEWPORT = { width: 1366, height: 860 };
const log = (m: string) => process.stderr.write(`[room-pictures] ${m}\n`);

interface User {
  id: string;
  username: string;
  token: string;
}

let base = process.env.SAM_URL ?? "";

async function must(method: string, p: string, token: string | undefined, body?: unknown, ok: number[] = [200, 201, 202]) {
  const res = await api(method, p, { base, token, body });
  if (!ok.includes(res.status)) throw new Error(`${method} ${p}: ${res.status} ${res.text}`);
  return res.json;
}

async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`timed out: ${what}`);
}

async function register(name: string): Promise<User> {
  for (const username of [name, `${name}_${randomBytes(2).toString("hex")}`]) {
    // Password hashing is rationed: a busy server says 503, try again.
    const res = await until("the server hashing my password", async () => {
      const r = await api("POST", "/api/v1/auth/register", { base, body: { username, password: PASSWORD } });
      return r.status === 503 ? undefined : r;
    });
    if (res.status === 201) return { id: res.json.user.id, username, token: res.json.token };
    if (res.status !== 409) throw new Error(`registering ${username}: ${res.status} ${res.text} (is registration open?)`);
  }
  throw new Error(`could not register ${name}`);
}

/** The owner invites `user` by name as an editor and `user` accepts. */
async function addEditor(roomId: string, owner: User, user: User): Promise<void> {
  const invited = await must("POST", `/api/v1/rooms/${roomId}/members`, owner.token, { username: user.username, role: "editor" });
  await must("POST", `/api/v1/me/room-invitations/${invited.id}/accept`, user.token, {});
}

/** Sets the room's files (by path) through the room socket, as the owner's editor would; waits until the server has them. */
async function writeFiles(roomId: string, owner: User, files: Record<string, string>): Promise<void> {
  const token = async () => (await must("POST", `/api/v1/rooms/${roomId}/token`, owner.token, {})).token as string;
  const peer = connectRoom(roomId, token, { collabUrl: base });
  try {
    await peer.synced;
    peer.doc.transact(() => {
      const existing = listFiles(peer.doc);
      for (const [p, content] of Object.entries(files)) {
        const file = existing.find((f) => f.path === p);
        if (!file) {
          addFile(peer.doc, p, content);
          continue;
        }
        const text = filesOf(peer.doc).get(file.id)!.get("text") as Y.Text;
        text.delete(0, text.length);
        text.insert(0, content);
      }
    });
    await until("the edit reached the room", async () => (peer.provider.unsyncedChanges === 0 ? true : undefined), 30_000);
  } finally {
    peer.destroy();
  }
}

const MAIN_PY = `import helper

for name, scores in helper.CLASS.items():
    mean = helper.average(scores)
    mark = "\\x1b[32mok\\x1b[0m " if mean >= 70 else "\\x1b[33mlow\\x1b[0m"
    print(mark, f"{name:<8} {mean:5.1f}")

print("\\x1b[31mchecking the empty group...\\x1b[0m")
print(helper.average([]))
`;

const HELPER_PY = `"""Helpers for main.py."""

CLASS = {
    "ada": [92, 88, 97],
    "grace": [85, 91, 78],
    "linus": [64, 70, 59],
}


def average(scores):
    return sum(scores) / len(scores)
`;

const MAIN_C = `#include <stdio.h>

int main(void) {
    printf("hello from C\\n");
    return 0;
}
`;

/** A python room of `owner`'s with `editor` in it, holding main.py, helper.py and main.c. */
async function makeRoom(owner: User, editor: User, name: string): Promise<string> {
  const room = await must("POST", "/api/v1/rooms", owner.token, { name, language: "python" });
  await addEditor(room.id, owner, editor);
  await writeFiles(room.id, owner, { "main.py": MAIN_PY, "helper.py": HELPER_PY, "main.c": MAIN_C });
  return room.id as string;
}

interface Person {
  context: BrowserContext;
  page: Page;
  problems: string[];
}

/**
 * `user` signed in, in a browser of their own (theme chosen by cookie), with the room open.
 * Their saved layout gives the panel under the editor the larger part, as someone watching output would drag it.
 */
async function openRoom(browser: Browser, user: User, roomId: string, theme: Theme, dock: number): Promise<Person> {
  const context = await browser.newContext({ viewport: VIEWPORT, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
  await context.addCookies([{ name: THEME_COOKIE, value: theme, url: base }]);
  const prefs = JSON.stringify({ fontSize: 14, dockTab: "output", rows: { "panel-editor": 100 - dock, "panel-dock": dock } });
  await context.addInitScript(
    ([key, value]) => {
      if (!localStorage.getItem(key!)) localStorage.setItem(key!, value!);
    },
    [preferencesKey(user.username), prefs],
  );
  const { page, problems } = await watchedPage(context);
  await page.goto(`${base}/signin`);
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${base}/`);
  await page.goto(`${base}/rooms/${roomId}`);
  await until("connected", async () => (((await page.getByTestId("connection").textContent()) ?? "").includes("Connected") ? true : undefined));
  await page.locator(".monaco-editor").waitFor();
  for (const f of ["main.py", "helper.py", "main.c"]) await page.getByTestId(`file-${f}`).waitFor();
  return { context, page, problems };
}

const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent()) ?? "";

/** Puts the editor's cursor at `line`:`column` of the open file (Monaco's Go to Line). */
async function cursorTo(page: Page, line: number, column: number): Promise<void> {
  await page.locator(".monaco-editor .view-lines").click();
  await page.keyboard.press("Control+g");
  await page.keyboard.type(`${line}:${column}`);
  await page.keyboard.press("Enter");
}

/** The 1-based line and column where `needle` starts in `source`. */
function positionOf(source: string, needle: string): [number, number] {
  const lines = source.split("\n");
  const line = lines.findIndex((l) => l.includes(needle));
  return [line + 1, lines[line]!.indexOf(needle) + 1];
}

async function roomPicture(browser: Browser, owner: User, editor: User): Promise<void> {
  const roomId = await makeRoom(owner, editor, "Grade report");
  const a = await openRoom(browser, owner, roomId, "dark", 60);
  const b = await openRoom(browser, editor, roomId, "dark", 60);
  try {
    for (const p of [a.page, b.page]) await p.getByTestId("file-main.py").click();
    for (const p of [a.page, b.page]) await until("two people in the room", async () => ((await p.getByTestId("person").count()) === 2 ? true : undefined));

    // The program's stdout and stderr reach the runner on two pipes: when a run is this quick, the traceback can arrive
    // before the lines printed ahead of it. The picture wants them in the order they were written: run again until so.
    for (let attempt = 1; ; attempt++) {
      const before = await a.page.getByTestId("history").locator("li").count();
      await a.page.getByTestId("run").click();
      await until("the run listed", async () => ((await a.page.getByTestId("history").locator("li").count()) > before ? true : undefined));
      await until("the run finished", async () => ((await text(a.page, "run-status")).includes("Failed") ? true : undefined), 120_000);
      await until("the traceback shown", async () => ((await text(a.page, "output")).includes("ZeroDivisionError") ? true : undefined), 30_000);
      await until("its places are links", async () => ((await a.page.getByTestId("output-location").count()) >= 2 ? true : undefined), 30_000);
      const output = await text(a.page, "output");
      if (output.indexOf("ok ") < output.indexOf("Traceback")) break;
      log(`run ${attempt}: stderr came before stdout, running again`);
      if (attempt === 10) throw new Error("the output was out of order in every run");
    }

    // The owner's own cursor somewhere quiet; the other person selects the pass mark (their name tag shows while they move,
    // over the line above: a short one, so it hides no code).
    await cursorTo(a.page, 2, 1);
    await a.page.mouse.move(VIEWPORT.width - 5, VIEWPORT.height - 5);
    const [line, column] = positionOf(MAIN_PY, ">= 70");
    await cursorTo(b.page, line, column + 3);
    await b.page.keyboard.press("Shift+ArrowRight");
    await b.page.keyboard.press("Shift+ArrowRight");
    await a.page.locator(".yRemoteSelectionHead").first().waitFor();
    await a.page.waitForTimeout(400);
    log(`output:\n${await text(a.page, "output")}`);
    await a.page.screenshot({ path: path.join(OUT_DIR, "room.png") });
    log(`saved ${path.relative(process.cwd(), path.join(OUT_DIR, "room.png"))}`);
    for (const p of [a, b]) if (p.problems.length) log(`problems in ${p === a ? "the owner's" : "the editor's"} page: ${p.problems.join("; ")}`);
  } finally {
    await a.context.close();
    await b.context.close();
  }
}

async function terminalPicture(browser: Browser, owner: User, editor: User): Promise<void> {
  const roomId = await makeRoom(owner, editor, "Grade report");
  const a = await openRoom(browser, owner, roomId, "light", 64);
  const b = await openRoom(browser, editor, roomId, "light", 64);
  try {
    for (const p of [a.page, b.page]) await p.getByTestId("file-main.py").click();
    for (const p of [a.page, b.page]) await p.getByTestId("dock-tab-terminal").click();
    await b.page.getByTestId("terminal-start").click();
    const screen = (p: Page) => p.getByTestId("terminal-view").locator(".xterm-rows").innerText();
    for (const p of [a.page, b.page]) await until("a prompt", async () => ((await screen(p)).includes("$") ? true : undefined), 90_000);
    await b.page.getByTestId("terminal-view").click();
    for (const command of ["ls", "python3 -c 'print(6*7)'", "python3 main.py 2>/dev/null", "echo $PATH"]) {
      await b.page.keyboard.type(command, { delay: 20 });
      await b.page.keyboard.press("Enter");
      await b.page.waitForTimeout(1500);
    }
    await until("the commands' output", async () => ((await screen(a.page)).includes("/usr/bin") ? true : undefined), 30_000);
    await a.page.mouse.move(VIEWPORT.width - 5, VIEWPORT.height - 5);
    await a.page.waitForTimeout(500);
    log(`terminal:\n${await screen(a.page)}`);
    await a.page.screenshot({ path: path.join(OUT_DIR, "terminal.png") });
    log(`saved ${path.relative(process.cwd(), path.join(OUT_DIR, "terminal.png"))}`);
    for (const p of [a, b]) if (p.problems.length) log(`problems in ${p === a ? "the owner's" : "the editor's"} page: ${p.problems.join("; ")}`);
  } finally {
    await a.context.close();
    await b.context.close();
  }
}

function hueDistance(a: User, b: User): number {
  const hue = (u: User) => Number(/hsl\((\d+)/.exec(colorFor(u.id))![1]);
  const d = Math.abs(hue(a) - hue(b));
  return Math.min(d, 360 - d);
}

async function main() {
  const stops: Array<() => Promise<unknown>> = [];
  try {
    if (!base) {
      log("no SAM_URL: starting a throwaway stack (as the test suite does)");
      const { startBacking, startService } = await import("../../tests/support/stack");
      const { ensureRootfs, ensureRuntimeImage } = await import("../../runner/images/runtime-image");
      const sandboxDir = process.env.SAM_TEST_SANDBOX_DIR ?? "/var/tmp/sam-test-sandbox";
      const imageTag = await ensureRuntimeImage({ engine: "podman", log });
      await ensureRootfs({ engine: "podman", log }, imageTag, path.join(sandboxDir, "images"));
      const backing = await startBacking();
      stops.unshift(() => backing.stop());
      const collab = await startService("collab/main.ts", backing);
      stops.unshift(() => collab.stop());
      // Trusting X-Forwarded-For gives each browser an address of its own (as two people would have).
      const web = await startService("web/server.ts", backing, { SAM_COLLAB_URL: collab.url, SAM_TRUST_PROXY: "true", SAM_RUNS_PER_MINUTE: "100000" });
      stops.unshift(() => web.stop());
      const runner = await startService("runner/main.ts", backing, { SAM_SANDBOX_DIR: sandboxDir, SAM_SANDBOX_DRIVER: "oci" });
      stops.unshift(() => runner.stop());
      base = web.url;
    }
    const owner = await register("ada");
    // Everyone's colour comes from their user id: take a second person whose colour is not close to the first's.
    let editor = await register("grace");
    for (const name of ["linus", "margaret", "barbara", "alan"]) {
      if (hueDistance(owner, editor) >= 60) break;
      editor = await register(name);
    }
    await until("a runner offering python", async () => {
      const res = await api("GET", "/api/v1/runtimes", { base, token: owner.token });
      return res.status === 200 && res.json.some((r: { language: string }) => r.language === "python") ? true : undefined;
    });
    const { browser, close } = await launchBrowser();
    try {
      await roomPicture(browser, owner, editor);
      await terminalPicture(browser, owner, editor);
    } finally {
      await close();
    }
  } finally {
    for (const stop of stops) await stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);

/**
 * The README's picture of the gradebook (docs/images/gradebook.png), made
 * from real work: a teacher's course with six students and three python
 * assignments, every submission graded by the runner (some late, one
 * score overridden by the teacher), then a 1366x800 screenshot of the
 * gradebook in Chromium.
 *
 *   node --import tsx scripts/screenshots/gradebook.ts [out.png]
 *
 * Against a running stack (web, collab and runner; registration open): set
 * SAM_URL=http://host:port. Without SAM_URL it starts a throwaway one the
 * way the test suite does (PostgreSQL, Redis, web, collab, runner on the
 * test sandbox image; `npm test`'s setup builds what it needs, run it once
 * first) and stops it afterwards.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { chromium } from "playwright-core";
import WebSocket from "ws";
import * as Y from "yjs";
import { listFiles, filesOf } from "../../lib/rooms/document";

const ROOT = path.resolve(import.meta.dirname, "../..");
const OUT = path.resolve(process.argv[2] ?? path.join(ROOT, "docs/images/gradebook.png"));
const PASSWORD = "correct horse battery staple";
const log = (m: string) => process.stderr.write(`[gradebook-picture] ${m}\n`);

interface User {
  id: string;
  username: string;
  token: string;
}

let base = process.env.SAM_URL ?? "";

async function call(method: string, p: string, token?: string, body?: unknown) {
  const res = await fetch(base + p, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, json, text };
}

async function must(method: string, p: string, token: string | undefined, body: unknown, ok: number[] = [200, 201, 202]) {
  const res = await call(method, p, token, body);
  if (!ok.includes(res.status)) throw new Error(`${method} ${p}: ${res.status} ${res.text}`);
  return res.json;
}

async function register(name: string): Promise<User> {
  for (const username of [name, `${name}_${randomBytes(2).toString("hex")}`]) {
    // Password hashing is rationed: a busy server says 503, try again.
    const res = await until("the server hashing my password", async () => {
      const r = await call("POST", "/api/v1/auth/register", undefined, { username, password: PASSWORD });
      return r.status === 503 ? undefined : r;
    });
    if (res.status === 201) return { id: res.json.user.id, username, token: res.json.token };
    if (res.status !== 409) throw new Error(`registering ${username}: ${res.status} ${res.text} (is registration open?)`);
  }
  throw new Error(`could not register ${name}`);
}

async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 600_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out: ${what}`);
}

/** Writes `content` as main.py of the student's workspace room, as their editor would (through the room socket). */
async function writeMainPy(student: User, roomId: string, content: string): Promise<void> {
  const { token } = await must("POST", `/api/v1/rooms/${roomId}/token`, student.token, {});
  const doc = new Y.Doc();
  const socket = new HocuspocusProviderWebsocket({ url: `${base.replace(/^http/, "ws")}/collab`, WebSocketPolyfill: WebSocket as never });
  let synced!: () => void;
  const ready = new Promise<void>((r) => (synced = r));
  const provider = new HocuspocusProvider({ websocketProvider: socket, name: roomId, document: doc, token, onSynced: ({ state }) => state && synced() });
  provider.attach();
  try {
    await ready;
    const file = listFiles(doc).find((f) => f.path === "main.py");
    if (!file) throw new Error(`no main.py in room ${roomId}`);
    const text = filesOf(doc).get(file.id)!.get("text") as Y.Text;
    doc.transact(() => {
      text.delete(0, text.length);
      text.insert(0, content);
    });
    // The change is on the server once nothing is waiting to be sent.
    await until("the edit reached the room", async () => (provider.unsyncedChanges === 0 ? true : undefined), 30_000);
  } finally {
    provider.destroy();
    socket.destroy();
    doc.destroy();
  }
}

/** Three assignments; each solution is right, half right, or wrong, so scores differ. */
const io = (name: string, points: number, stdin: string, expectedStdout: string, visibility = "visible") => ({
  kind: "io",
  name,
  points,
  visibility,
  stdin,
  expectedStdout,
});
const ASSIGNMENTS = [
  {
    title: "Hello, name",
    tests: [
      io("greets Ada", 4, "Ada\n", "Hello, Ada!\n"),
      io("greets Linus", 3, "Linus\n", "Hello, Linus!\n"),
      io("greets secret", 3, "Grace\n", "Hello, Grace!\n", "hidden"),
    ],
    solutions: {
      good: 'print(f"Hello, {input()}!")\n',
      half: 'name = input()\nprint("Hello, Ada!" if name == "Ada" else "Hi " + name)\n',
      bad: 'print("hello")\n',
    },
  },
  {
    title: "FizzBuzz",
    tests: [
      io("1 to 5", 3, "5\n", "1\n2\nFizz\n4\nBuzz\n"),
      io("to 15", 3, "15\n", "1\n2\nFizz\n4\nBuzz\nFizz\n7\n8\nFizz\nBuzz\n11\nFizz\n13\n14\nFizzBuzz\n"),
      io("just 1", 4, "1\n", "1\n", "hidden"),
    ],
    solutions: {
      good: 'for i in range(1, int(input()) + 1):\n    print("FizzBuzz" if i % 15 == 0 else "Fizz" if i % 3 == 0 else "Buzz" if i % 5 == 0 else i)\n',
      half: 'for i in range(1, int(input()) + 1):\n    print("Fizz" if i % 3 == 0 else "Buzz" if i % 5 == 0 else i)\n',
      bad: 'print("1")\n',
    },
  },
  {
    title: "Word count",
    tests: [io("one line", 5, "a b c\n", "3\n"), io("empty", 2, "\n", "0\n"), io("many spaces", 3, "  x   y \n", "2\n", "hidden")],
    solutions: {
      good: "print(len(input().split()))\n",
      half: 'print(len(input().split(" ")))\n',
      bad: "print(3)\n",
    },
  },
] as const;

type Quality = "good" | "half" | "bad" | null;
/** Per student, per assignment: which solution they submit (null: none yet); "late" on the first assignment submits after its due date. */
const PLAN: Array<{ name: string; work: [Quality, Quality, Quality]; late?: boolean; twice?: number }> = [
  { name: "ada", work: ["good", "good", "good"] },
  { name: "grace", work: ["good", "half", "good"], twice: 1 },
  { name: "linus", work: ["half", "good", null], late: true },
  { name: "margaret", work: ["good", "bad", "half"] },
  { name: "alan", work: ["bad", "half", null], late: true },
  { name: "barbara", work: ["good", "good", "half"], twice: 2 },
];

async function submitAndWait(student: User, assignmentId: string): Promise<string> {
  const made = await until("a submission accepted", async () => {
    const res = await call("POST", `/api/v1/assignments/${assignmentId}/submissions`, student.token, {});
    if (res.status === 201) return res.json;
    // The run rate: try again in a moment.
    if (res.status === 429 && res.json?.error?.code !== "submission_limit_reached") return undefined;
    throw new Error(`submitting: ${res.status} ${res.text}`);
  });
  await until(`submission ${made.id} graded`, async () => {
    const view = await must("GET", `/api/v1/submissions/${made.id}`, student.token, undefined);
    if (view.status === "failed") throw new Error(`submission ${made.id} could not be graded`);
    return view.status === "finished" ? true : undefined;
  });
  return made.id as string;
}

async function fill(): Promise<{ teacher: User; courseId: string }> {
  const teacher = await register("ms_hopper");
  const students: User[] = [];
  for (const p of PLAN) students.push(await register(p.name));
  await until("a runner offering python", async () => {
    const res = await call("GET", "/api/v1/runtimes", teacher.token);
    return res.status === 200 && res.json.some((r: { language: string }) => r.language === "python") ? true : undefined;
  });
  const course = await must("POST", "/api/v1/courses", teacher.token, { name: "Programming 1 — Fall 2026" });
  const invite = await must("POST", `/api/v1/courses/${course.id}/invites`, teacher.token, {});
  for (const s of students) await must("POST", "/api/v1/courses/join", s.token, { code: invite.code });

  const day = 86_400_000;
  const assignments: string[] = [];
  for (const a of ASSIGNMENTS) {
    const made = await must("POST", `/api/v1/courses/${course.id}/assignments`, teacher.token, {
      title: a.title,
      language: "python",
      statement: `# ${a.title}`,
      starterFiles: [{ name: "main.py", content: "# your solution\n" }],
      dueAt: new Date(Date.now() + 7 * day).toISOString(),
      lateUntil: new Date(Date.now() + 10 * day).toISOString(),
      latePenaltyPerDay: 10,
    });
    await must("PUT", `/api/v1/assignments/${made.id}/tests`, teacher.token, { tests: a.tests });
    assignments.push(made.id);
  }

  const submit = async (i: number, which: number, quality: Quality, late: boolean) => {
    if (!quality || (!!PLAN[i]!.late && which === 0) !== late) return;
    const s = students[i]!;
    const { roomId } = await must("POST", `/api/v1/assignments/${assignments[which]}/workspace`, s.token, undefined);
    const times = PLAN[i]!.twice === which ? 2 : 1;
    for (let n = 0; n < times; n++) {
      // A first try that is worse, then the real one.
      const source = times === 2 && n === 0 ? ASSIGNMENTS[which]!.solutions.bad : ASSIGNMENTS[which]!.solutions[quality];
      await writeMainPy(s, roomId, source);
      await submitAndWait(s, assignments[which]!);
    }
    log(`${s.username}: ${ASSIGNMENTS[which]!.title} (${quality}${late ? ", late" : ""})`);
  };
  // On time first, two students at a time (as a class would, not all at once).
  for (let i = 0; i < PLAN.length; i += 2) {
    await Promise.all(
      [i, i + 1].map(async (j) => {
        for (const [which, quality] of PLAN[j]!.work.entries()) await submit(j, which, quality, false);
      }),
    );
  }
  // The first assignment's deadline passes now; the late ones hand in after it (a started day late).
  await must("PATCH", `/api/v1/assignments/${assignments[0]}`, teacher.token, { dueAt: new Date().toISOString() });
  await new Promise((r) => setTimeout(r, 2000));
  for (const [i, p] of PLAN.entries()) if (p.late) await submit(i, 0, p.work[0], true);

  // The teacher overrides one score, with a comment.
  const list = await must("GET", `/api/v1/assignments/${assignments[2]}/submissions?userId=${students[3]!.id}`, teacher.token, undefined);
  await must("PUT", `/api/v1/submissions/${list.submissions[0].id}/override`, teacher.token, {
    score: 9,
    comment: "Counted the empty-line case by hand: it was right.",
  });
  return { teacher, courseId: course.id };
}

async function picture(teacher: User, courseId: string): Promise<void> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(90_000);
    await page.goto(`${base}/signin`);
    await page.getByLabel("Username").fill(teacher.username);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(`${base}/`);
    await page.goto(`${base}/courses/${courseId}/gradebook`);
    await page.getByTestId("gradebook").waitFor();
    await page.locator('[data-testid="live-state"][data-state="live"]').waitFor();
    await page.screenshot({ path: OUT });
    log(`saved ${path.relative(process.cwd(), OUT)}`);
  } finally {
    await browser.close();
  }
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
      const web = await startService("web/server.ts", backing, { SAM_COLLAB_URL: collab.url, SAM_RUNS_PER_MINUTE: "100000" });
      stops.unshift(() => web.stop());
      const runner = await startService("runner/main.ts", backing, { SAM_SANDBOX_DIR: sandboxDir, SAM_SANDBOX_DRIVER: "oci" });
      stops.unshift(() => runner.stop());
      base = web.url;
    }
    const { teacher, courseId } = await fill();
    await picture(teacher, courseId);
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

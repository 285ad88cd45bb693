import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import * as Y from "yjs";
import { decodeDocument, listFiles } from "../../lib/rooms/document";
import { api } from "../support/api";
import { connectRoom, eventually, roomToken, roomWithMembers, type RoomClient } from "../support/rooms";
import { startService, type Backing, type RunningService } from "../support/stack";

/**
 * Several collab processes serving the same rooms, as on several machines:
 * the suite's collab process (A, where the web app proxies sockets) and a
 * second one started here (B) on the same Redis and PostgreSQL. Members
 * connected to different processes edit one document, see each other, and
 * are governed by the same rules.
 */
const backing: Backing = { dataDir: inject("dataDir"), databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl"), stop: async () => undefined };
const pool = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
const LIMIT_ON_B = 3;
let b: RunningService;

beforeAll(async () => {
  // B stores rarely: a run that sees B's edits got them live, not from the database.
  b = await startService("collab/main.ts", backing, { SAM_COLLAB_STORE_DEBOUNCE_MS: "600000", SAM_COLLAB_MAX_CONNECTIONS_PER_USER: String(LIMIT_ON_B) });
});
afterAll(async () => {
  await b?.stop();
  await pool.end();
});

const textOf = (doc: Y.Doc) => [...doc.getMap<Y.Map<unknown>>("files").values()][0]!.get("text") as Y.Text;
const onA = (roomId: string, token: () => Promise<string>) => connectRoom(roomId, token, { direct: true });
const onB = (roomId: string, token: () => Promise<string>) => connectRoom(roomId, token, { collabUrl: b.url });

async function storedText(roomId: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ state: Buffer }>('SELECT state FROM "RoomDocument" WHERE "roomId" = $1', [roomId]);
  const doc = decodeDocument(new Uint8Array(rows[0]!.state));
  const text = listFiles(doc)[0]?.content;
  doc.destroy();
  return text;
}

async function closeAll(clients: RoomClient[]) {
  for (const c of clients) c.destroy();
}

describe("rooms served by several collab processes", () => {
  it("members on different processes edit one document and converge, and see each other", async () => {
    const { roomId, owner, editor } = await roomWithMembers();
    const alice = onA(roomId, () => roomToken(roomId, owner));
    const bob = onB(roomId, () => roomToken(roomId, editor));
    try {
      await Promise.all([alice.synced, bob.synced]);
      alice.provider.setAwarenessField("user", { name: owner.username });
      bob.provider.setAwarenessField("user", { name: editor.username });
      // Both type at once, many times, at the start and the end of the same text.
      for (let i = 0; i < 20; i++) {
        textOf(alice.doc).insert(0, `a${i};`);
        textOf(bob.doc).insert(textOf(bob.doc).length, `b${i};`);
      }
      await eventually("both documents to hold all 40 edits and be identical", () => {
        const [x, y] = [textOf(alice.doc).toString(), textOf(bob.doc).toString()];
        return x === y && [...Array(20).keys()].every((i) => x.includes(`a${i};`) && x.includes(`b${i};`));
      });
      const names = (c: RoomClient) => [...c.provider.awareness!.getStates().values()].map((s) => (s.user as { name?: string } | undefined)?.name);
      await eventually("each to see the other's presence", () => names(alice).includes(editor.username) && names(bob).includes(owner.username));
    } finally {
      await closeAll([alice, bob]);
    }
  });

  it("a room's run takes the live files from the process that holds the room", async () => {
    const { roomId, editor } = await roomWithMembers();
    // Only B has the room open; the web app's own collab address is A's.
    const bob = onB(roomId, () => roomToken(roomId, editor));
    try {
      await bob.synced;
      const text = textOf(bob.doc);
      bob.doc.transact(() => {
        text.delete(0, text.length);
        text.insert(0, "print('typed on B')\n");
      });
      await eventually("the edit to reach B", () => bob.provider.unsyncedChanges === 0);
      expect(await storedText(roomId)).not.toContain("typed on B");
      const started = await api("POST", `/api/v1/rooms/${roomId}/runs`, { token: editor.token, body: {} });
      expect(started.status).toBe(202);
      let run: any;
      await eventually(
        "the run to finish",
        async () => {
          run = (await api("GET", `/api/v1/executions/${started.json.id}`, { token: editor.token })).json;
          return !["queued", "running"].includes(run.status);
        },
        60_000,
      );
      expect(run).toMatchObject({ status: "succeeded", stdout: "typed on B\n" });
    } finally {
      await closeAll([bob]);
    }
  });

  it("removing a member closes their sockets on every process", async () => {
    const { roomId, owner, editor } = await roomWithMembers();
    // Tokens taken before the removal and still unexpired: the processes must ask the database, not trust them.
    const token = await roomToken(roomId, editor);
    const onProcessA = onA(roomId, async () => token);
    const onProcessB = onB(roomId, async () => token);
    try {
      await Promise.all([onProcessA.synced, onProcessB.synced]);
      expect((await api("DELETE", `/api/v1/rooms/${roomId}/members/${editor.id}`, { token: owner.token })).status).toBe(204);
      await eventually("both sockets to be closed", () => [onProcessA, onProcessB].every((c) => c.closeEvents.some((e) => e.code === 4001)));
      await eventually("reconnecting to be refused", () => [onProcessA, onProcessB].every((c) => c.authFailures.some((r) => r.includes("not a member"))));
      // What they type now goes nowhere.
      textOf(onProcessB.doc).insert(0, "after removal;");
      await new Promise((r) => setTimeout(r, 500));
      const owners = onA(roomId, () => roomToken(roomId, owner));
      await owners.synced;
      expect(textOf(owners.doc).toString()).not.toContain("after removal;");
      owners.destroy();
    } finally {
      await closeAll([onProcessA, onProcessB]);
    }
  });

  it("the sockets-per-user limit counts a user's sockets on every process", async () => {
    const { roomId, owner } = await roomWithMembers();
    const token = () => roomToken(roomId, owner);
    // Two on A and one on B reach B's limit (3) although B itself holds only one.
    const first = [onA(roomId, token), onA(roomId, token), onB(roomId, token)];
    const clients = [...first];
    try {
      await Promise.all(first.map((c) => c.synced));
      const extra = onB(roomId, token);
      clients.push(extra);
      await eventually(
        "the fourth socket to be refused by B",
        () => extra.authFailures.some((r) => r.includes("Too many open connections")) || extra.closeEvents.some((e) => e.code === 4029),
      );
      // The refused socket never counted: closing it frees nothing, B still refuses.
      extra.destroy();
      const stillRefused = onB(roomId, token);
      clients.push(stillRefused);
      await eventually(
        "B to refuse again",
        () => stillRefused.authFailures.some((r) => r.includes("Too many open connections")) || stillRefused.closeEvents.some((e) => e.code === 4029),
      );
      stillRefused.destroy();
      // Closing one on A frees a place on B (once A has seen the socket go).
      first[0]!.destroy();
      await eventually("a new socket on B to be let in", async () => {
        const again = onB(roomId, token);
        clients.push(again);
        const outcome = await Promise.race([again.synced.then(() => "in"), new Promise((r) => setTimeout(r, 1000, "not yet"))]);
        if (outcome !== "in") again.destroy();
        return outcome === "in";
      });
    } finally {
      await closeAll(clients);
    }
  });

  it("the document is stored once everyone has left, whichever process they were on", async () => {
    const { roomId, owner, editor } = await roomWithMembers();
    const alice = onA(roomId, () => roomToken(roomId, owner));
    const bob = onB(roomId, () => roomToken(roomId, editor));
    try {
      await Promise.all([alice.synced, bob.synced]);
      textOf(bob.doc).insert(0, "# from B\n");
      textOf(alice.doc).insert(0, "# from A\n");
      await eventually("both edits to reach both", () =>
        [alice, bob].every((c) => /# from A/.test(textOf(c.doc).toString()) && /# from B/.test(textOf(c.doc).toString())),
      );
    } finally {
      await closeAll([alice, bob]);
    }
    await eventually(
      "the stored document to hold both edits",
      async () => {
        const text = (await storedText(roomId)) ?? "";
        return text.includes("# from A") && text.includes("# from B");
      },
      20_000,
    );
  });

  it("a process's store never drops what another process stored", async () => {
    const { roomId, owner } = await roomWithMembers();
    const bob = onB(roomId, () => roomToken(roomId, owner));
    try {
      await bob.synced;
      textOf(bob.doc).insert(0, "# typed on B\n");
      await eventually("the edit to reach B", () => bob.provider.unsyncedChanges === 0);
      // Meanwhile another process stored an edit B never received (as when it closed the room before relaying it).
      const { rows } = await pool.query<{ state: Buffer }>('SELECT state FROM "RoomDocument" WHERE "roomId" = $1', [roomId]);
      const other = decodeDocument(new Uint8Array(rows[0]!.state));
      textOf(other).insert(textOf(other).length, "# stored by another process\n");
      await pool.query('UPDATE "RoomDocument" SET state = $2 WHERE "roomId" = $1', [roomId, Buffer.from(Y.encodeStateAsUpdate(other))]);
      other.destroy();
    } finally {
      // B's last client leaves: B stores its copy.
      await closeAll([bob]);
    }
    await eventually(
      "B's store to hold both",
      async () => {
        const text = (await storedText(roomId)) ?? "";
        return text.includes("# typed on B") && text.includes("# stored by another process");
      },
      20_000,
    );
  });

  it("an edit taken by a process that dies before storing it is stored by another that holds the room", async () => {
    // C never stores on its own before shutdown (long debounce), and it will not shut down: it is killed.
    const c = await startService("collab/main.ts", backing, { SAM_COLLAB_STORE_DEBOUNCE_MS: "600000" });
    const { roomId, owner, editor } = await roomWithMembers();
    const alice = onA(roomId, () => roomToken(roomId, owner));
    const carol = connectRoom(roomId, () => roomToken(roomId, editor), { collabUrl: c.url });
    try {
      await Promise.all([alice.synced, carol.synced]);
      textOf(carol.doc).insert(0, "# typed on C\n");
      await eventually("A to have C's edit", () => textOf(alice.doc).toString().startsWith("# typed on C"));
      c.proc.child.kill("SIGKILL");
      await c.proc.exited;
      // Nobody on A typed anything: A stores what it heard from C.
      await eventually("the edit to be stored", async () => ((await storedText(roomId)) ?? "").startsWith("# typed on C"), 20_000);
    } finally {
      await closeAll([alice, carol]);
      await c.stop();
    }
  });
});

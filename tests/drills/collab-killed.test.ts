import * as Y from "yjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLOSE } from "../../lib/rooms/close-codes";
import { FILES } from "../../lib/rooms/document";
import { createRoom } from "../../lib/rooms/rooms";
import { signRoomToken } from "../../lib/rooms/room-token";
import { connectRoom, type RoomClient } from "../support/rooms";
import { DrillStack, eventually, report, sleep } from "./drill-stack";

/**
 * Drill: a collab process killed with SIGKILL while three people type. No
 * edit a client saw acknowledged (Hocuspocus's SyncStatus for the update,
 * which the provider counts down in `unsyncedChanges`) may be lost.
 *
 * Stores are debounced by a minute here, so nothing reaches the stored
 * document while they type: without the room's edit log
 * (collab/extensions/durable-edits.ts) every acknowledged edit is lost.
 * Each person types numbered tokens at the end of main.py; after the kill a
 * fresh collab process serves the room and a fresh client reads it: every
 * acknowledged token is there, and none twice.
 */
const TYPISTS = 3;
/** A fast typist: 20 characters a second each. */
const TYPE_EVERY_MS = 50;
const TEMPLATE = { language: "python", version: "3", aliases: [], limits: {}, template: { files: [{ name: "main.py", content: "" }] } };

let stack: DrillStack;
beforeAll(async () => {
  stack = await DrillStack.start();
});
afterAll(async () => {
  await stack?.stop();
});

const textOf = (doc: Y.Doc): string => {
  let text = "";
  doc.getMap<Y.Map<unknown>>(FILES).forEach((entry) => {
    const t = entry.get("text");
    if (t instanceof Y.Text) text += t.toString();
  });
  return text;
};

interface Typist {
  client: RoomClient;
  typed: number;
  /** Tokens 0..acked-1 were acknowledged by the server (SyncStatus), in order. */
  acked: number;
  /** When each token was typed (sent at once: the socket is open). */
  sentAt: number[];
  ackLatencies: number[];
}

describe("drill: a collab process killed while people type", () => {
  it("loses no edit a client saw acknowledged", async () => {
    const db = stack.database();
    // The first store would come a minute after the last edit: only the edit log can keep them.
    let collab = await stack.service("collab/main.ts", { SAM_COLLAB_STORE_DEBOUNCE_MS: "60000" });
    const users = await Promise.all(
      Array.from({ length: TYPISTS + 1 }, (_, i) => db.user.create({ data: { username: `drill${i}`, usernameKey: `drill${i}` } })),
    );
    const room = await createRoom(db, users[0]!.id, "drill", TEMPLATE);
    await db.roomMember.createMany({ data: users.slice(1).map((u) => ({ roomId: room.id, userId: u.id, role: "editor" as const })) });
    const tokenFor = (i: number) =>
      signRoomToken(stack.secret, { userId: users[i]!.id, username: users[i]!.username, roomId: room.id, role: i === 0 ? "owner" : "editor" });

    const typists: Typist[] = [];
    for (let i = 0; i < TYPISTS; i++) {
      const client = connectRoom(room.id, await tokenFor(i + 1), { collabUrl: collab.url });
      await client.synced;
      const typist: Typist = { client, typed: 0, acked: 0, sentAt: [], ackLatencies: [] };
      // Each SyncStatus(true) takes one off the count, and the server acknowledges a socket's updates in the
      // order they were sent (the socket gate keeps one in flight): the k-th decrement acknowledges edit k.
      // (A reconnect resets the count to 1 at once; a drop of more than one is not an acknowledgement.)
      let last = client.provider.unsyncedChanges;
      client.provider.on("unsyncedChanges", ({ number }: { number: number }) => {
        if (number === last - 1 && typist.acked < typist.typed) {
          typist.ackLatencies.push(Date.now() - typist.sentAt[typist.acked]!);
          typist.acked += 1;
        }
        last = number;
      });
      typists.push(typist);
    }

    // Everyone types until the process dies under them.
    let typing = true;
    const loops = typists.map(async (typist, i) => {
      const text = () => {
        let found: Y.Text | undefined;
        typist.client.doc.getMap<Y.Map<unknown>>(FILES).forEach((e) => (found ??= e.get("text") as Y.Text));
        return found!;
      };
      while (typing) {
        const t = text();
        typist.sentAt.push(Date.now());
        t.insert(t.length, `<${i}:${typist.typed}>`);
        typist.typed += 1;
        await sleep(TYPE_EVERY_MS);
      }
    });
    await eventually("each typist has edits acknowledged", () => typists.every((t) => t.acked >= 20), 60_000);
    await sleep(500);
    collab.proc.child.kill("SIGKILL");
    const killedAt = Date.now();
    typing = false;
    await Promise.all(loops);
    await collab.proc.exited;
    for (const t of typists) t.client.destroy();

    // A new collab process (as the supervisor would start) serves the room again.
    collab = await stack.service("collab/main.ts", { SAM_COLLAB_STORE_DEBOUNCE_MS: "60000" });
    const reader = connectRoom(room.id, await tokenFor(0), { collabUrl: collab.url });
    await reader.synced;
    const recoveryMs = Date.now() - killedAt;
    const text = textOf(reader.doc);

    let lost = 0;
    let duplicated = 0;
    let unackedKept = 0;
    typists.forEach((typist, i) => {
      for (let n = 0; n < typist.typed; n++) {
        const count = text.split(`<${i}:${n}>`).length - 1;
        if (count > 1) duplicated += 1;
        if (n < typist.acked && count === 0) lost += 1;
        if (n >= typist.acked && count === 1) unackedKept += 1;
      }
    });
    const latencies = typists.flatMap((t) => t.ackLatencies).sort((a, b) => a - b);
    report("collab killed", {
      typed: typists.reduce((s, t) => s + t.typed, 0),
      acknowledged: typists.reduce((s, t) => s + t.acked, 0),
      lost,
      duplicated,
      unacknowledgedButKept: unackedKept,
      ackP50Ms: latencies[Math.floor(latencies.length / 2)] ?? NaN,
      ackP99Ms: latencies[Math.floor(latencies.length * 0.99)] ?? NaN,
      recoveryMs,
    });
    expect(typists.every((t) => t.acked > 0)).toBe(true);
    expect(lost).toBe(0);
    expect(duplicated).toBe(0);

    // One more edit, then the last client leaves: the store folds the log into the stored document.
    const readerText = reader.doc.getMap<Y.Map<unknown>>(FILES).values().next().value!.get("text") as Y.Text;
    readerText.insert(readerText.length, "<reader>");
    await eventually("the reader's edit is acknowledged", () => reader.provider.unsyncedChanges === 0, 30_000);
    reader.destroy();
    await eventually(
      "the room's log is compacted into its stored document",
      async () => (await db.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM "RoomUpdate" WHERE "roomId" = ${room.id}::uuid`)[0]!.n === 0n,
      60_000,
    );
    const stored = await db.roomDocument.findUniqueOrThrow({ where: { roomId: room.id } });
    const storedDoc = new Y.Doc();
    Y.applyUpdate(storedDoc, stored.state);
    expect(textOf(storedDoc)).toBe(text + "<reader>");
  }, 300_000);

  it("an edit made while PostgreSQL is down is not acknowledged, and is kept once it is back", async () => {
    const db = stack.database();
    const collab = await stack.service("collab/main.ts", { SAM_COLLAB_STORE_DEBOUNCE_MS: "60000" });
    const owner = await db.user.create({ data: { username: "drill-pg", usernameKey: "drill-pg" } });
    const room = await createRoom(db, owner.id, "drill", TEMPLATE);
    // A fresh token for every connect, as the page fetches one.
    const token = () => signRoomToken(stack.secret, { userId: owner.id, username: owner.username, roomId: room.id, role: "owner" });
    const client = connectRoom(room.id, token, { collabUrl: collab.url });
    await client.synced;
    const text = client.doc.getMap<Y.Map<unknown>>(FILES).values().next().value!.get("text") as Y.Text;
    text.insert(0, "<before>");
    await eventually("the first edit is acknowledged", () => client.provider.unsyncedChanges === 0, 30_000);

    await stack.stopPostgres();
    text.insert(text.length, "<during>");
    // Not acknowledged: the edit could not be logged, and the socket was closed to send it again later.
    await eventually("the socket is closed with 4507", () => client.closeEvents.some((e) => e.code === CLOSE.editNotSaved.code), 30_000);
    await sleep(2000);
    expect(client.provider.unsyncedChanges).toBeGreaterThan(0);

    await stack.startPostgres();
    const startedAt = Date.now();
    // The provider reconnects by itself and its sync sends the edit again.
    await eventually("the edit is acknowledged once PostgreSQL is back", () => client.provider.unsyncedChanges === 0 && client.provider.isSynced, 120_000);
    const ackedAfterMs = Date.now() - startedAt;
    client.destroy();
    // Durable: even the process dying now does not lose it.
    collab.proc.child.kill("SIGKILL");
    await collab.proc.exited;
    const again = await stack.service("collab/main.ts", { SAM_COLLAB_STORE_DEBOUNCE_MS: "60000" });
    const reader = connectRoom(room.id, token, { collabUrl: again.url });
    await reader.synced;
    report("collab with PostgreSQL down", { ackedAfterPostgresBackMs: ackedAfterMs, closes: JSON.stringify(client.closeEvents.map((e) => e.code)) });
    expect(textOf(reader.doc)).toBe("<before><during>");
    reader.destroy();
  }, 300_000);
});

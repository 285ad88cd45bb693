import { describe, expect, inject, it } from "vitest";
import type * as Y from "yjs";
import { connectRoom, eventually, roomToken, roomWithMembers } from "../support/rooms";
import { scrapeOk, sumOf } from "../support/prometheus";
import { type Backing, startService } from "../support/stack";

const collab = () => inject("collabUrl");
const gauge = async (name: string) => sumOf(await scrapeOk(collab()), name);

describe("collab metrics follow rooms, sockets, edits and stores", () => {
  it("a room socket shows in the socket, connection and room gauges, and goes away with it", async () => {
    const { roomId, owner } = await roomWithMembers();
    const before = await scrapeOk(collab());
    const client = connectRoom(roomId, () => roomToken(roomId, owner));
    try {
      await client.synced;
      const open = await scrapeOk(collab());
      expect(sumOf(open, "sam_collab_sockets")).toBeGreaterThan(sumOf(before, "sam_collab_sockets"));
      expect(sumOf(open, "sam_collab_connections")).toBeGreaterThan(sumOf(before, "sam_collab_connections"));
      expect(sumOf(open, "sam_collab_rooms")).toBeGreaterThan(sumOf(before, "sam_collab_rooms"));
      // Opening the room loaded its document from PostgreSQL.
      expect(sumOf(open, "sam_collab_store_duration_seconds_count", { operation: "load", outcome: "ok" })).toBeGreaterThan(
        sumOf(before, "sam_collab_store_duration_seconds_count", { operation: "load", outcome: "ok" }),
      );
      client.destroy();
      await eventually("the socket and the room to leave the gauges", async () => {
        const closed = await scrapeOk(collab());
        return sumOf(closed, "sam_collab_sockets") < sumOf(open, "sam_collab_sockets") && sumOf(closed, "sam_collab_rooms") < sumOf(open, "sam_collab_rooms");
      });
    } finally {
      client.destroy();
    }
  });

  it("edits count as client updates, and their store is timed", async () => {
    const { roomId, owner } = await roomWithMembers();
    const client = connectRoom(roomId, () => roomToken(roomId, owner));
    try {
      await client.synced;
      const before = await scrapeOk(collab());
      const stored = { operation: "store", outcome: "ok" };
      const files = client.doc.getMap<Y.Map<unknown>>("files");
      const text = [...files.values()][0]!.get("text") as Y.Text;
      for (let i = 0; i < 3; i++) {
        text.insert(0, `# edit ${i}\n`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await eventually(
        "the edits to be counted",
        async () =>
          sumOf(await scrapeOk(collab()), "sam_collab_updates_total", { source: "client" }) >=
          sumOf(before, "sam_collab_updates_total", { source: "client" }) + 3,
      );
      // Stores are debounced (300 ms in the test stack): one follows the edits.
      await eventually(
        "the store to be timed",
        async () =>
          sumOf(await scrapeOk(collab()), "sam_collab_store_duration_seconds_count", stored) > sumOf(before, "sam_collab_store_duration_seconds_count", stored),
      );
      expect(await gauge("sam_collab_rooms")).toBeGreaterThanOrEqual(1);
    } finally {
      client.destroy();
    }
  });

  it("an edit relayed from another collab process counts as relay there, and as client where it was typed", async () => {
    const backing: Backing = { dataDir: inject("dataDir"), databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl"), stop: async () => undefined };
    const other = await startService("collab/main.ts", backing, { SAM_METRICS_TOKEN: inject("metricsToken") });
    const { roomId, owner, editor } = await roomWithMembers();
    const here = connectRoom(roomId, () => roomToken(roomId, owner), { direct: true });
    const there = connectRoom(roomId, () => roomToken(roomId, editor), { collabUrl: other.url });
    try {
      await Promise.all([here.synced, there.synced]);
      const relayedBefore = sumOf(await scrapeOk(collab()), "sam_collab_updates_total", { source: "relay" });
      const typedBefore = sumOf(await scrapeOk(other.url), "sam_collab_updates_total", { source: "client" });
      const text = [...there.doc.getMap<Y.Map<unknown>>("files").values()][0]!.get("text") as Y.Text;
      text.insert(0, "# typed on the other process\n");
      await eventually(
        "the suite's collab process to count the relayed edit",
        async () => sumOf(await scrapeOk(collab()), "sam_collab_updates_total", { source: "relay" }) > relayedBefore,
      );
      expect(sumOf(await scrapeOk(other.url), "sam_collab_updates_total", { source: "client" })).toBeGreaterThan(typedBefore);
    } finally {
      here.destroy();
      there.destroy();
      await other.stop();
    }
  });
});

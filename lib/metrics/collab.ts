import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** Where a document update came from: a member's socket on this process, another collab process (the Redis relay), or the server itself (a merge with the stored document). */
export type UpdateSource = "client" | "relay" | "server";
export type StoreOperation = "load" | "store";
export type StoreOutcome = "ok" | "error";

/** What the collab process is made of, read at each scrape. */
export interface CollabCounts {
  /** Rooms whose document this process holds. */
  rooms(): number;
  /** WebSockets open on this process, signed in or not. */
  sockets(): number;
  /** Room connections (one socket may be in several rooms), signed in. */
  connections(): number;
}

/** A room's document loads in milliseconds; a store of a large one under load may take seconds. */
const STORE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** What a collab process records: rooms, sockets, edits and document store times. */
export class CollabMetrics {
  private readonly updates: Counter<"source">;
  private readonly storeDuration: Histogram<"operation" | "outcome">;

  constructor(registry: Registry, counts: CollabCounts) {
    const registers = [registry];
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    gauge("sam_collab_rooms", "Rooms whose document this collab process holds open.", () => counts.rooms());
    gauge("sam_collab_sockets", "WebSockets open on this collab process, signed in or not.", () => counts.sockets());
    gauge("sam_collab_connections", "Signed-in room connections on this collab process (a socket may hold several rooms).", () => counts.connections());
    this.updates = new Counter({
      name: "sam_collab_updates_total",
      help: "Document updates (edits) applied by this collab process, by source: client (a member's socket here), relay (another collab process), server.",
      labelNames: ["source"],
      registers,
    });
    for (const source of ["client", "relay", "server"] as const) this.updates.inc({ source }, 0);
    this.storeDuration = new Histogram({
      name: "sam_collab_store_duration_seconds",
      help: "Time to load a room's document from PostgreSQL or store it there, by operation and outcome.",
      labelNames: ["operation", "outcome"],
      buckets: STORE_BUCKETS,
      registers,
    });
  }

  update(source: UpdateSource): void {
    this.updates.inc({ source });
  }

  /** Times `work` as one load or store; a store that failed without throwing says so through `failed`. */
  async timeStore<T>(operation: StoreOperation, work: () => Promise<T>, failed: () => boolean = () => false): Promise<T> {
    const end = this.storeDuration.startTimer({ operation });
    try {
      const value = await work();
      end({ outcome: failed() ? "error" : "ok" });
      return value;
    } catch (err) {
      end({ outcome: "error" });
      throw err;
    }
  }
}

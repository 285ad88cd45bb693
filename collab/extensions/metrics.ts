import { Connection, type Extension, type onChangePayload } from "@hocuspocus/server";
import type { CollabMetrics, UpdateSource } from "../../lib/metrics/collab";
import type { RoomPersistence } from "./persistence";

/** The transaction origin Hocuspocus's Redis extension gives updates from other processes. */
const RELAY_ORIGIN = "__hocuspocus__redis__origin__";

/** Counts every update applied to a room's document (sam_collab_updates_total), by where it came from. */
export class RoomMetrics implements Extension {
  extensionName = "room-metrics";

  constructor(private readonly metrics: CollabMetrics) {}

  async onChange({ transactionOrigin }: onChangePayload): Promise<void> {
    this.metrics.update(sourceOf(transactionOrigin));
  }
}

function sourceOf(origin: unknown): UpdateSource {
  if (origin instanceof Connection) return "client";
  if (origin === RELAY_ORIGIN) return "relay";
  return "server";
}

/**
 * Times the persistence extension's loads and stores
 * (sam_collab_store_duration_seconds). Its two hooks are wrapped in place, so
 * every other hook it has keeps working untouched. A store never throws (a
 * failure keeps the room in memory and retries): one that leaves the room
 * among the unsaved ones counts as an error.
 */
export function timeStores(persistence: RoomPersistence, metrics: CollabMetrics): void {
  const load = persistence.onLoadDocument.bind(persistence);
  const store = persistence.onStoreDocument.bind(persistence);
  persistence.onLoadDocument = (payload) => metrics.timeStore("load", () => load(payload));
  persistence.onStoreDocument = (payload) =>
    metrics.timeStore(
      "store",
      () => store(payload),
      () => persistence.unsaved().includes(payload.documentName),
    );
}

import { parentPort, workerData } from "node:worker_threads";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import WebSocket from "ws";
import * as Y from "yjs";

/**
 * A worker thread of simulated people for bench/collab.ts: each connects to
 * the room as its own account and, on "go", types a short marked insert every
 * intervalMs for warmupMs + durationMs. It reports when each of its inserts was made and
 * when each of the others' arrived (absolute times, comparable across threads).
 */
interface Job {
  url: string;
  roomId: string;
  people: Array<{ index: number; token: string }>;
  durationMs: number;
  /** Typing before this long is not reported: the first second measures the JIT warming up, here and in the server. */
  warmupMs: number;
  intervalMs: number;
}
const job = workerData as Job;
const now = () => performance.timeOrigin + performance.now();

const clients = job.people.map(({ index, token }) => {
  const doc = new Y.Doc();
  const socket = new HocuspocusProviderWebsocket({ url: job.url, WebSocketPolyfill: WebSocket as never });
  let synced!: () => void;
  const ready = new Promise<void>((resolve) => (synced = resolve));
  const provider = new HocuspocusProvider({ websocketProvider: socket, name: job.roomId, document: doc, token, onSynced: ({ state }) => state && synced() });
  provider.attach();
  const text = () => [...doc.getMap<Y.Map<unknown>>("files").values()][0]!.get("text") as Y.Text;
  return { index, doc, socket, provider, ready, text };
});

const sends: Array<[string, number]> = [];
const receives: Array<[string, number]> = [];
await Promise.all(clients.map((c) => c.ready));
// An edit counts as seen once it is applied to the client's document. The
// markers are read from the update's bytes (Yjs keeps inserted text as
// UTF-8): a Y.Text event's delta walks the whole text, which for fifty
// simulated people on two cores would measure this thread, not the server.
const latin1 = new TextDecoder("latin1");
for (const c of clients) {
  c.doc.on("update", (update: Uint8Array, _origin: unknown, _doc: Y.Doc, transaction: Y.Transaction) => {
    if (transaction.local) return;
    const at = now();
    for (const [marker] of latin1.decode(update).matchAll(/\[\d+:\d+\]/g)) receives.push([marker, at]);
  });
}
parentPort!.postMessage({ type: "ready" });
await new Promise<void>((resolve) => parentPort!.once("message", () => resolve()));

let seq = 0;
const measureFrom = now() + job.warmupMs;
const typingMs = job.warmupMs + job.durationMs;
for (const c of clients) {
  setTimeout(() => {
    const tick = setInterval(() => {
      const marker = `[${c.index}:${seq++}]`;
      if (now() >= measureFrom) sends.push([marker, now()]);
      c.doc.transact(() => c.text().insert(Math.floor(Math.random() * (c.text().length + 1)), marker), "local");
    }, job.intervalMs);
    setTimeout(() => clearInterval(tick), typingMs);
  }, Math.random() * job.intervalMs);
}
await new Promise((r) => setTimeout(r, typingMs + job.intervalMs + 3000));
parentPort!.postMessage({ type: "done", sends, receives });
for (const c of clients) {
  (c.socket as unknown as { webSocket?: { on?: (event: string, fn: () => void) => void } }).webSocket?.on?.("error", () => undefined);
  c.provider.destroy();
  c.socket.destroy();
}
process.exit(0);

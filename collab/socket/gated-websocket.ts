import WebSocket from "ws";

/**
 * A room socket whose incoming messages go through a gate before anything
 * else sees them: Hocuspocus only ever gets what the gate passes on (see
 * socket-gate.ts). The WebSocket server makes every socket of this class
 * (ws's `WebSocket` option), so no message can slip past.
 *
 * Hocuspocus also replays messages it queued itself by emitting them again;
 * those come through the gate once more, like any other.
 */
export class GatedWebSocket extends WebSocket {
  gate?: (data: Buffer) => void;

  override emit(event: string | symbol, ...args: any[]): boolean {
    if (event === "message" && this.gate) {
      this.gate(toBuffer(args[0]));
      return true;
    }
    return super.emit(event, ...args);
  }

  /** Hands a message on to the socket's listeners (Hocuspocus), past the gate. */
  pass(data: Uint8Array): void {
    super.emit("message", data, true);
  }
}

function toBuffer(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]);
  return Buffer.from(data as Uint8Array);
}

import WebSocket from "ws";

/**
 * A room socket whose traffic goes through a gate (socket-gate.ts), both ways:
 *
 * - Incoming messages reach the gate before anything else sees them:
 *   Hocuspocus only ever gets what the gate passes on. The WebSocket server
 *   makes every socket of this class (ws's `WebSocket` option), so no message
 *   can slip past. Hocuspocus also replays messages it queued itself by
 *   emitting them again; those come through the gate once more, like any other.
 * - Outgoing messages are shown to the gate, and are queued only while the
 *   client keeps up: ws queues in memory whatever the client does not read,
 *   without limit (a client that stops reading while asking for the whole
 *   document again and again would fill the process). Once more than
 *   `sendLimit()` bytes wait unsent, nothing more is queued and the gate is told.
 */
export class GatedWebSocket extends WebSocket {
  gate?: (data: Buffer) => void;
  /** Sees each outgoing message (the gate learns of refusals Hocuspocus sends). */
  outgoing?: (data: Uint8Array) => void;
  /** Bytes that may wait unsent before the socket is given up. */
  sendLimit?: () => number;
  /** Called once when the client has fallen too far behind; nothing more is sent after. */
  fellBehind?: () => void;
  private behind = false;

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

  override send(data: any, ...rest: any[]): void {
    if (this.behind) return;
    if (this.sendLimit && this.bufferedAmount > this.sendLimit()) {
      this.behind = true;
      this.fellBehind?.();
      return;
    }
    if (data instanceof Uint8Array) this.outgoing?.(data);
    (super.send as (...args: any[]) => void)(data, ...rest);
  }
}

function toBuffer(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]);
  return Buffer.from(data as Uint8Array);
}

/**
 * The room sockets open on this collab process, by room and user: enough to
 * close a member's sockets when the owner removes them or changes their role
 * (they reconnect with a fresh token and get the new role, or are refused).
 * Counting sockets per user across processes is socket-counts.ts's job.
 */
export interface Closable {
  close(event?: { code: number; reason: string }): void;
}

export const CLOSE = {
  roleChanged: { code: 4001, reason: "Your role in this room changed; reconnecting with the new one." },
  roomDeleted: { code: 4004, reason: "This room was deleted." },
  tooManyConnections: { code: 4029, reason: "Too many open connections for your account; close another tab of this app." },
  documentTooLarge: { code: 4013, reason: "The room's document reached its size limit; delete some content first." },
} as const;

export class ConnectionRegistry {
  private readonly byRoom = new Map<string, Map<string, Map<string, Closable>>>();
  add(roomId: string, userId: string, socketId: string, connection: Closable): void {
    const room = this.byRoom.get(roomId) ?? new Map<string, Map<string, Closable>>();
    this.byRoom.set(roomId, room);
    const sockets = room.get(userId) ?? new Map<string, Closable>();
    room.set(userId, sockets);
    sockets.set(socketId, connection);
  }

  remove(roomId: string, userId: string, socketId: string): void {
    const sockets = this.byRoom.get(roomId)?.get(userId);
    if (!sockets?.delete(socketId)) return;
    if (sockets.size === 0) this.byRoom.get(roomId)!.delete(userId);
    if (this.byRoom.get(roomId)!.size === 0) this.byRoom.delete(roomId);
  }

  /** Closes one member's sockets in a room, or everyone's when userId is undefined. */
  close(roomId: string, userId: string | undefined, event: { code: number; reason: string }): void {
    const room = this.byRoom.get(roomId);
    if (!room) return;
    for (const [uid, sockets] of room) {
      if (userId !== undefined && uid !== userId) continue;
      for (const c of sockets.values()) c.close(event);
    }
  }
}

/**
 * The rooms each user has open on this collab process (one entry per socket
 * and room), for the limit on rooms per user: every room a process holds
 * costs it memory (collab/extensions/document-budget.ts), and one account may
 * not have it load room after room of its own.
 */
export class UserRooms {
  /** user -> room -> sockets open in it here. */
  private readonly open = new Map<string, Map<string, Set<string>>>();

  /** How many other rooms than `roomId` the user has open here. */
  othersThan(userId: string, roomId: string): number {
    const rooms = this.open.get(userId);
    if (!rooms) return 0;
    return rooms.size - (rooms.has(roomId) ? 1 : 0);
  }

  add(userId: string, roomId: string, socketId: string): void {
    let rooms = this.open.get(userId);
    if (!rooms) this.open.set(userId, (rooms = new Map()));
    let sockets = rooms.get(roomId);
    if (!sockets) rooms.set(roomId, (sockets = new Set()));
    sockets.add(socketId);
  }

  remove(userId: string, roomId: string, socketId: string): void {
    const rooms = this.open.get(userId);
    const sockets = rooms?.get(roomId);
    if (!rooms || !sockets) return;
    sockets.delete(socketId);
    if (sockets.size === 0) rooms.delete(roomId);
    if (rooms.size === 0) this.open.delete(userId);
  }
}

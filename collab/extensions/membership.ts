import type { Extension, Hocuspocus, onConfigurePayload } from "@hocuspocus/server";
import type { Logger } from "pino";
import type { Database } from "../../lib/db/client";
import { CLOSE } from "../../lib/rooms/close-codes";
import type { RoomControlMessage } from "../../lib/rooms/events";
import type { RoomContext } from "./authentication";

type CloseEvent = { code: number; reason: string };

/**
 * Open sockets follow membership. When the owner removes a member, changes
 * a role or deletes the room, the web app announces it on Redis and the
 * sockets concerned close at once (`onControlMessage`): a removed member is
 * gone, a changed one reconnects and authenticates with the new role.
 *
 * One missed announcement (Redis briefly unreachable, this process
 * subscribing late) must not leave a removed member editing: every
 * `recheckMs` the roles of everyone connected here are read again from the
 * database (one query for all open rooms), with the same outcome.
 */
export class Membership implements Extension {
  extensionName = "membership";
  private readonly timer: NodeJS.Timeout;
  private checking = false;
  private instance?: Hocuspocus;

  constructor(private readonly deps: { db: Database; recheckMs: number; log: Logger }) {
    this.timer = setInterval(() => void this.recheck(), deps.recheckMs);
    this.timer.unref();
  }

  async onConfigure({ instance }: onConfigurePayload): Promise<void> {
    this.instance = instance;
  }

  private get documents(): Hocuspocus["documents"] {
    return this.instance?.documents ?? new Map();
  }

  onControlMessage(message: RoomControlMessage): void {
    for (const connection of this.documents.get(message.roomId)?.getConnections() ?? []) {
      if (message.kind === "deleted") close(connection.webSocket, CLOSE.roomDeleted);
      else if ((connection.context as RoomContext).userId === message.userId) close(connection.webSocket, CLOSE.roleChanged);
    }
  }

  /** Closes the sockets of members who are no longer members, or whose role is not the one they connected with. */
  async recheck(): Promise<void> {
    const roomIds = [...this.documents].filter(([, doc]) => doc.getConnectionsCount() > 0).map(([id]) => id);
    if (roomIds.length === 0 || this.checking) return;
    this.checking = true;
    try {
      const rooms = await this.deps.db.room.findMany({
        where: { id: { in: roomIds } },
        select: { id: true, members: { select: { userId: true, role: true } } },
      });
      const roles = new Map(rooms.map((r) => [r.id, new Map(r.members.map((m) => [m.userId, m.role]))]));
      for (const roomId of roomIds) {
        for (const connection of this.documents.get(roomId)?.getConnections() ?? []) {
          const { userId, role } = connection.context as RoomContext;
          const members = roles.get(roomId);
          if (!members) close(connection.webSocket, CLOSE.roomDeleted);
          else if (members.get(userId) !== role) close(connection.webSocket, CLOSE.roleChanged);
        }
      }
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, "could not re-check the roles of connected members");
    } finally {
      this.checking = false;
    }
  }

  async onDestroy(): Promise<void> {
    clearInterval(this.timer);
  }
}

/** Closing the socket itself (not only the room on it) makes the client reconnect and authenticate afresh. */
function close(ws: { close(code: number, reason: string): void }, event: CloseEvent): void {
  ws.close(event.code, event.reason);
}

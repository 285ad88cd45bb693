import type { Extension, Hocuspocus, onConfigurePayload } from "@hocuspocus/server";
import { CLOSE } from "../../lib/rooms/close-codes";
import type { RoomControlMessage } from "../../lib/rooms/events";
import type { RoomContext } from "./authentication";

type CloseEvent = { code: number; reason: string };

/**
 * Open sockets follow membership. When the owner removes a member, changes
 * a role or deletes the room, the web app announces it on Redis and the
 * sockets concerned close at once (`onControlMessage`): a removed member is
 * gone, a changed one reconnects and authenticates with the new role.
 */
export class Membership implements Extension {
  extensionName = "membership";
  private instance?: Hocuspocus;

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
}

/** Closing the socket itself (not only the room on it) makes the client reconnect and authenticate afresh. */
function close(ws: { close(code: number, reason: string): void }, event: CloseEvent): void {
  ws.close(event.code, event.reason);
}

import type { connectedPayload, Extension, onAuthenticatePayload, onDisconnectPayload } from "@hocuspocus/server";
import type { Logger } from "pino";
import type { Database } from "../../lib/db/client";
import { roomRole } from "../../lib/rooms/access";
import { CLOSE } from "../../lib/rooms/close-codes";
import { verifyRoomToken } from "../../lib/rooms/room-token";
import { can, type RoomRole } from "../../lib/rooms/roles";
import type { SocketCounts } from "../socket-counts";
import type { UserRooms } from "../user-rooms";
import type { SocketGate } from "../socket/socket-gate";

/** What a room connection carries through Hocuspocus's hooks: its socket's gate, then who authenticated. */
export interface RoomContext {
  gate: SocketGate;
  userId: string;
  username: string;
  roomId: string;
  role: RoomRole;
}

/** Hocuspocus tells the client an error's `reason` when it refuses a connection. */
export const refuse = (reason: string) => Object.assign(new Error(reason), { reason });

export const TOO_MANY_ROOMS = "You have too many rooms open on this room server; close the tabs of rooms you are not using.";

/** What a client is told when its room token is refused (here, or earlier by its socket's gate). */
export const tokenRefused = (err: Error) => `The room token was refused (${err.message}); reload the page to get a new one.`;

/**
 * Who may open a room's socket. Zero trust: the room token the web app
 * signed (room-token.ts) says who, the database says what they may do now
 * (a role may have changed since the token was issued), viewers get a
 * read-only connection that Hocuspocus enforces, and open sockets per user
 * are counted across every collab process, and so are the rooms a user has
 * open on this process (each costs it memory). The socket's gate
 * (socket-gate.ts) hears the outcome: until it succeeds, the socket gets little.
 */
export class RoomAuthentication implements Extension {
  extensionName = "room-authentication";

  constructor(
    private readonly deps: {
      db: Database;
      secret: string;
      socketCounts: SocketCounts;
      maxConnectionsPerUser: number;
      userRooms: UserRooms;
      maxRoomsPerUser: number;
      log: Logger;
    },
  ) {}

  async onAuthenticate({ token, documentName, connectionConfig, context }: onAuthenticatePayload): Promise<Omit<RoomContext, "gate">> {
    const { gate } = context as RoomContext;
    try {
      const room = await this.authenticate(token, documentName);
      connectionConfig.readOnly = !can(room.role, "edit");
      gate.authenticated(documentName, { id: room.userId, username: room.username });
      return room;
    } catch (err) {
      gate.refused(documentName);
      throw err;
    }
  }

  private async authenticate(token: string, roomId: string): Promise<Omit<RoomContext, "gate">> {
    const { db, secret, socketCounts, maxConnectionsPerUser, log } = this.deps;
    let claims: Awaited<ReturnType<typeof verifyRoomToken>>;
    try {
      claims = await verifyRoomToken(secret, token, roomId);
    } catch (err) {
      throw refuse(tokenRefused(err as Error));
    }
    const access = await roomRole(db, roomId, claims.userId);
    if (!access) throw refuse("You are not a member of this room (any more).");
    if (this.deps.userRooms.othersThan(claims.userId, roomId) >= this.deps.maxRoomsPerUser) throw refuse(TOO_MANY_ROOMS);
    // A quick refusal for the common case; the count that holds is taken atomically once connected.
    const open = await socketCounts.count(claims.userId).catch((err: Error) => {
      log.error({ err: err.message }, "could not count the user's sockets");
      throw refuse("The room server cannot reach its shared state just now; try again in a moment.");
    });
    if (open >= maxConnectionsPerUser) throw refuse(CLOSE.tooManyConnections.reason);
    return { userId: claims.userId, username: claims.username, roomId, role: access.role };
  }

  async connected({ connection, context, documentName, socketId }: connectedPayload): Promise<void> {
    const { userId } = context as RoomContext;
    this.deps.userRooms.add(userId, documentName, socketId);
    // Counted (or not) in one step across all collab processes: sockets opened at the same moment all passed onAuthenticate.
    const admitted = await this.deps.socketCounts.admit(userId, `${socketId}:${documentName}`, this.deps.maxConnectionsPerUser).catch((err: Error) => {
      this.deps.log.error({ err: err.message }, "could not count the user's sockets");
      return false;
    });
    if (!admitted) connection.webSocket.close(CLOSE.tooManyConnections.code, CLOSE.tooManyConnections.reason);
  }

  async onDisconnect({ context, documentName, socketId }: onDisconnectPayload): Promise<void> {
    const room = context as RoomContext | undefined;
    room?.gate?.disconnected(documentName);
    if (!room?.userId) return;
    this.deps.userRooms.remove(room.userId, documentName, socketId);
    // Not awaited: Hocuspocus stores and unloads the room after this hook, and an unreachable Redis must not hold that up
    // (the entry expires by itself).
    void this.deps.socketCounts
      .remove(room.userId, `${socketId}:${documentName}`)
      .catch((err: Error) => this.deps.log.warn({ err: err.message }, "could not uncount a socket"));
  }
}

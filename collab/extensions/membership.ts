import type { Extension, Hocuspocus, onConfigurePayload } from "@hocuspocus/server";
import type { Logger } from "pino";
import type { Database } from "../../lib/db/client";
import { CLOSE } from "../../lib/rooms/close-codes";
import type { RoomControlMessage } from "../../lib/rooms/events";
import type { CourseControlMessage } from "../../lib/classroom/workspaces/announce";
import { workspaceRoleOf } from "../../lib/classroom/workspaces/workspace";
import type { RoomRole } from "../../lib/rooms/roles";
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
  private again = false;
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

  onControlMessage(message: RoomControlMessage | CourseControlMessage): void {
    // Someone's course role changed or they left a course: the rooms concerned are workspaces, known only to the database.
    if (message.kind === "course") return void this.recheck();
    for (const connection of this.documents.get(message.roomId)?.getConnections() ?? []) {
      if (message.kind === "deleted") close(connection.webSocket, CLOSE.roomDeleted);
      else if ((connection.context as RoomContext).userId === message.userId) close(connection.webSocket, CLOSE.roleChanged);
    }
  }

  /** Closes the sockets of members who are no longer members, or whose role is not the one they connected with. */
  async recheck(): Promise<void> {
    const roomIds = [...this.documents].filter(([, doc]) => doc.getConnectionsCount() > 0).map(([id]) => id);
    if (roomIds.length === 0) return;
    if (this.checking) {
      // A course change announced mid-check must still be looked at once this one ends.
      this.again = true;
      return;
    }
    this.checking = true;
    try {
      // The connections open now; one that opens while the roles are read authenticated just now, with the role it has.
      const open = roomIds.map((id) => [id, [...(this.documents.get(id)?.getConnections() ?? [])]] as const);
      const userIds = new Set(open.flatMap(([, connections]) => connections.map((c) => (c.context as RoomContext).userId)));
      const roles = await currentRoles(this.deps.db, roomIds, [...userIds]);
      for (const [roomId, connections] of open) {
        for (const connection of connections) {
          const { userId, role } = connection.context as RoomContext;
          const members = roles.get(roomId);
          if (!members) close(connection.webSocket, CLOSE.roomDeleted);
          else if (members(userId) !== role) close(connection.webSocket, CLOSE.roleChanged);
        }
      }
    } catch (err) {
      this.deps.log.warn({ err: (err as Error).message }, "could not re-check the roles of connected members");
    } finally {
      this.checking = false;
    }
    if (this.again) {
      this.again = false;
      await this.recheck();
    }
  }

  async onDestroy(): Promise<void> {
    clearInterval(this.timer);
  }
}

/**
 * The role now of each of `userIds` (those connected) in each of `roomIds` that still exists, read in two
 * queries: members' roles from RoomMember rows, and for a student's workspace
 * (no members) from the course (workspaceRoleOf, as roomRole decides it).
 */
async function currentRoles(db: Database, roomIds: string[], userIds: string[]): Promise<Map<string, (userId: string) => RoomRole | undefined>> {
  const rooms = await db.room.findMany({
    where: { id: { in: roomIds } },
    select: {
      id: true,
      members: { select: { userId: true, role: true } },
      workspace: { select: { userId: true, assignment: { select: { courseId: true, opensAt: true } } } },
    },
  });
  const courseIds = [...new Set(rooms.flatMap((r) => (r.workspace ? [r.workspace.assignment.courseId] : [])))];
  const courseMembers = courseIds.length
    ? await db.courseMember.findMany({ where: { courseId: { in: courseIds }, userId: { in: userIds } }, select: { courseId: true, userId: true, role: true } })
    : [];
  const courseRoles = new Map(courseMembers.map((m) => [`${m.courseId}:${m.userId}`, m.role]));
  const now = new Date();
  return new Map(
    rooms.map((r) => {
      const members = new Map(r.members.map((m) => [m.userId, m.role]));
      const workspace = r.workspace;
      const roleOf = (userId: string): RoomRole | undefined => {
        const member = members.get(userId);
        if (member || !workspace) return member;
        const facts = { ownerId: workspace.userId, opensAt: workspace.assignment.opensAt };
        return workspaceRoleOf(facts, userId, courseRoles.get(`${workspace.assignment.courseId}:${userId}`), now);
      };
      return [r.id, roleOf];
    }),
  );
}

/** Closing the socket itself (not only the room on it) makes the client reconnect and authenticate afresh. */
function close(ws: { close(code: number, reason: string): void }, event: CloseEvent): void {
  ws.close(event.code, event.reason);
}

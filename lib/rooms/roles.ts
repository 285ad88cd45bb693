import { GrantableRole, RoomRole } from "../db/generated/enums";

/**
 * What each role may do in a room. The one table every check reads: pages,
 * route handlers, SSE streams and the room socket (collab/) all ask `can`.
 *
 * | action  | viewer | editor | owner |
 * |---------|--------|--------|-------|
 * | read    | yes    | yes    | yes   |  open the room, files, presence, runs and output
 * | edit    | no     | yes    | yes   |  files and the file tree
 * | run     | no     | yes    | yes   |  run, stop, send stdin
 * | manage  | no     | no     | yes   |  members, share links, rename, delete
 */
// The lists are the database's enums (prisma/schema.prisma): what Prisma returns for a role is already one of these types.
export { GrantableRole, RoomRole };
export const ROLES = Object.values(RoomRole) as [RoomRole, ...RoomRole[]];
export type RoomAction = "read" | "edit" | "run" | "manage";

const ALLOWED: Record<RoomAction, readonly RoomRole[]> = {
  read: ["viewer", "editor", "owner"],
  edit: ["editor", "owner"],
  run: ["editor", "owner"],
  manage: ["owner"],
};

export function can(role: RoomRole, action: RoomAction): boolean {
  return ALLOWED[action].includes(role);
}

export function isRole(value: unknown): value is RoomRole {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Roles the owner can give to others: ownership itself is not handed out by invitation or link. */
export const GRANTABLE_ROLES = Object.values(GrantableRole) as [GrantableRole, ...GrantableRole[]];

/**
 * Why the room server closed a socket: the code the browser acts on (reload
 * with the new role, leave a deleted room) and the reason it shows.
 */
export const CLOSE = {
  roleChanged: { code: 4001, reason: "Your role in this room changed; reconnecting with the new one." },
  roomDeleted: { code: 4004, reason: "This room was deleted." },
  tooManyConnections: { code: 4029, reason: "Too many open connections for your account; close another tab of this app." },
  documentTooLarge: { code: 4013, reason: "The room's document reached its size limit; delete some content first." },
} as const;

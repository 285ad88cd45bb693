/**
 * Why the room server closed a socket: the code the browser acts on (reload
 * with the new role, leave a deleted room) and the reason it shows.
 * (Hocuspocus itself uses 4205, 4401, 4403 and 4408: ours stay clear of them.)
 */
export const CLOSE = {
  roleChanged: { code: 4001, reason: "Your role in this room changed; reconnecting with the new one." },
  roomDeleted: { code: 4004, reason: "This room was deleted." },
  tooManyConnections: { code: 4029, reason: "Too many open connections for your account; close another tab of this app." },
  documentTooLarge: { code: 4013, reason: "The room's document reached its size limit; delete some content first." },
  // Before a socket has authenticated, it gets little: a few seconds, a few kilobytes, a few rooms.
  authenticationTimeout: { code: 4008, reason: "The room socket did not authenticate in time; reconnect to try again." },
  tooMuchBeforeAuthentication: { code: 4009, reason: "Too much data before authentication; send the room token first." },
  tooManyRooms: { code: 4010, reason: "Too many rooms on one socket; open another socket for more." },
  badMessage: { code: 4400, reason: "The room server could not read that message; reload the page." },
} as const;

/**
 * Why the room server closed a socket: the code the browser acts on (reload
 * with the new role, leave a deleted room) and the reason it shows.
 * (Hocuspocus itself uses 4205, 4401, 4403 and 4408: ours stay clear of them.)
 */
export const CLOSE = {
  roleChanged: { code: 4001, reason: "Your role in this room changed; reconnecting with the new one." },
  roomDeleted: { code: 4004, reason: "This room was deleted." },
  tooManyConnections: { code: 4029, reason: "Too many open connections for your account; close another tab of this app." },
  // A change the room's document cannot take: not kept, and the page starts again from the room as the server has it.
  documentTooLarge: { code: 4013, reason: "The room's document reached its size limit; your last change was not kept. Delete some content first." },
  documentRefused: { code: 4022, reason: "A change did not fit the room's document (a bad path, too many files, or an unknown shape); it was not kept." },
  serverBusy: { code: 4503, reason: "The room server is at capacity just now; your last change was not kept. Try again in a minute." },
  // The client is out of step: reconnecting (and syncing afresh) is all it takes.
  missingEdits: { code: 4024, reason: "A change depended on edits the room server does not have; reconnecting to sync again." },
  tooFarBehind: { code: 4011, reason: "The connection fell too far behind the room; reconnecting." },
  editNotSaved: { code: 4507, reason: "The room server could not save your last change just now; reconnecting to send it again." },
  tooManyRequests: { code: 4012, reason: "Too many sync requests on one connection; reconnect to sync again." },
  // Before a socket has authenticated, it gets little: a few seconds, a few kilobytes, a few rooms.
  authenticationTimeout: { code: 4008, reason: "The room socket did not authenticate in time; reconnect to try again." },
  tooMuchBeforeAuthentication: { code: 4009, reason: "Too much data before authentication; send the room token first." },
  tooManyRooms: { code: 4010, reason: "Too many rooms on one socket; open another socket for more." },
  badMessage: { code: 4400, reason: "The room server could not read that message; reload the page." },
} as const;

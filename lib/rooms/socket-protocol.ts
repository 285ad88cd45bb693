import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";

/**
 * The room socket's wire format (Hocuspocus 3, over y-protocols), as far as
 * the collab service's gate and the web proxy need to read it. Every
 * message starts with the document (room) name and a message type; an
 * awareness message carries a y-protocols awareness update.
 * The numbers are Hocuspocus's own (MessageType in @hocuspocus/server,
 * AuthMessageType in @hocuspocus/common).
 */
export const MESSAGE = {
  sync: 0,
  awareness: 1,
  auth: 2,
  queryAwareness: 3,
  syncReply: 4,
  stateless: 5,
  broadcastStateless: 6,
  close: 7,
  syncStatus: 8,
} as const;
export const AUTH = { token: 0, permissionDenied: 1, authenticated: 2 } as const;
/** A sync message's own type (y-protocols): a state vector asking for what it lacks, the answer, or an update. */
export const SYNC = { step1: 0, step2: 1, update: 2 } as const;

export interface MessageHead {
  documentName: string;
  type: number;
  /** Positioned after the type: the rest of the message. */
  decoder: decoding.Decoder;
}

/** The room name and type of a message; undefined when it is not the room protocol. */
export function readHead(data: Uint8Array): MessageHead | undefined {
  try {
    const decoder = decoding.createDecoder(data);
    const documentName = decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    return { documentName, type, decoder };
  } catch {
    return undefined;
  }
}

/** The token of an authentication message (the client's first word for a room); undefined for any other message. */
export function readToken(head: MessageHead): string | undefined {
  if (head.type !== MESSAGE.auth) return undefined;
  try {
    const decoder = decoding.clone(head.decoder);
    if (decoding.readVarUint(decoder) !== AUTH.token) return undefined;
    return decoding.readVarString(decoder);
  } catch {
    return undefined;
  }
}

/** A sync message's type, and the Yjs update it carries (step 2 and update); undefined when malformed. */
export function readSync(head: MessageHead): { step: number; update?: Uint8Array } | undefined {
  if (head.type !== MESSAGE.sync) return undefined;
  try {
    const decoder = decoding.clone(head.decoder);
    const step = decoding.readVarUint(decoder);
    if (step === SYNC.step1) return { step };
    if (step === SYNC.step2 || step === SYNC.update) return { step, update: decoding.readVarUint8Array(decoder) };
    return undefined;
  } catch {
    return undefined;
  }
}

/** The room a message from the server refuses the client in (an authentication "permission denied"); undefined for any other. */
export function refusedRoom(data: Uint8Array): string | undefined {
  const head = readHead(data);
  if (head?.type !== MESSAGE.auth) return undefined;
  try {
    return decoding.readVarUint(head.decoder) === AUTH.permissionDenied ? head.documentName : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a message from the server tells the client it is authenticated for a room. */
export function isAuthenticatedReply(data: Uint8Array): boolean {
  const head = readHead(data);
  if (head?.type !== MESSAGE.auth) return false;
  try {
    return decoding.readVarUint(head.decoder) === AUTH.authenticated;
  } catch {
    return false;
  }
}

/** One client's entry in an awareness update; `state` is its JSON text ("null": the client left). */
export interface AwarenessEntry {
  clientId: number;
  clock: number;
  state: string;
}

/** The entries of an awareness message (y-protocols' encodeAwarenessUpdate, wrapped by Hocuspocus). Throws on malformed input. */
export function readAwarenessEntries(head: MessageHead): AwarenessEntry[] {
  const update = decoding.readVarUint8Array(decoding.clone(head.decoder));
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    entries.push({ clientId: decoding.readVarUint(decoder), clock: decoding.readVarUint(decoder), state: decoding.readVarString(decoder) });
  }
  return entries;
}

export function awarenessMessage(documentName: string, entries: AwarenessEntry[]): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, entries.length);
  for (const e of entries) {
    encoding.writeVarUint(update, e.clientId);
    encoding.writeVarUint(update, e.clock);
    encoding.writeVarString(update, e.state);
  }
  const message = encoding.createEncoder();
  encoding.writeVarString(message, documentName);
  encoding.writeVarUint(message, MESSAGE.awareness);
  encoding.writeVarUint8Array(message, encoding.toUint8Array(update));
  return encoding.toUint8Array(message);
}

import type { Awareness } from "y-protocols/awareness";
import { presenceFromClient, type PresenceUser } from "../../lib/rooms/presence";
import { awarenessMessage, readAwarenessEntries, type AwarenessEntry, type MessageHead } from "../../lib/rooms/socket-protocol";

/**
 * One authenticated connection's presence (awareness) in one room, as the
 * room server lets it through: only the connection's own entry, and with the
 * identity the server knows.
 *
 * - A connection owns the first awareness client id it sets, and only that
 *   one: entries for any other id are dropped (clients also echo everyone
 *   else's entries back; those go too). An id someone else already shows
 *   in the room is never taken over.
 * - Its entry's `user` is the authenticated user (id, name, colour), whatever
 *   the client sent; the fields a client may choose are checked, the rest dropped.
 */
export class PresenceFilter {
  private clientId?: number;

  constructor(
    private readonly user: PresenceUser,
    /** The room's live awareness (to see whose an id is); undefined while the room is not loaded. */
    private readonly awareness: () => Awareness | undefined,
  ) {}

  /** The message as it may reach the room, or undefined when nothing of it may. Throws on a malformed message. */
  rewrite(head: MessageHead): Uint8Array | undefined {
    const kept: AwarenessEntry[] = [];
    for (const entry of readAwarenessEntries(head)) {
      const state = parseState(entry.state);
      // null: the client left; undefined: not an entry at all.
      const rewritten = state === null ? null : presenceFromClient(state, this.user);
      if (this.clientId === undefined && rewritten && this.isFree(entry.clientId)) this.clientId = entry.clientId;
      if (entry.clientId !== this.clientId || rewritten === undefined) continue;
      kept.push({ ...entry, state: JSON.stringify(rewritten) });
    }
    return kept.length > 0 ? awarenessMessage(head.documentName, kept) : undefined;
  }

  /** An id nobody else shows in the room (the same user's own earlier socket may have held it: a reconnect). */
  private isFree(clientId: number): boolean {
    const current = this.awareness()?.getStates().get(clientId) as { user?: { id?: unknown } } | undefined;
    return current === undefined || current.user?.id === this.user.id;
  }
}

/** The entry's state; null for "left"; undefined when it is not JSON. */
function parseState(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

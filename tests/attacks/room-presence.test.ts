import { MessageType } from "@hocuspocus/server";
import * as encoding from "lib0/encoding";
import { describe, expect, it } from "vitest";
import { Awareness, encodeAwarenessUpdate } from "y-protocols/awareness";
import * as Y from "yjs";
import { colorFor } from "../../lib/rooms/presence";
import { connectRoom, eventually, roomMessage, roomToken, roomWithMembers, type RoomClient } from "../support/rooms";

/**
 * Presence (Yjs awareness) from a modified client. The room page writes each
 * person's colour into a <style> element and their name into the page: a
 * member (even a viewer) who could choose what others see about them could
 * restyle the owner's page, crash it with a name that is not a string, or
 * pose as someone else. The room server keeps only each connection's own
 * entry and says who it is itself.
 */
const INJECTION = "red} body *{visibility:hidden} x{";

/** An awareness update for `clientId` with `state` at `clock`, framed for the room: what y-protocols would send for that client. */
function awarenessFor(roomId: string, clientId: number, clock: number, state: unknown): Uint8Array {
  const awareness = new Awareness(new Y.Doc());
  awareness.states.set(clientId, state as Record<string, unknown>);
  awareness.meta.set(clientId, { clock, lastUpdated: Date.now() });
  const update = encodeAwarenessUpdate(awareness, [clientId]);
  awareness.destroy();
  return roomMessage(roomId, MessageType.Awareness, (e) => encoding.writeVarUint8Array(e, update));
}

const statesOf = (c: RoomClient) => c.provider.awareness!.getStates();

describe("attack: forged presence", () => {
  it("a member's client cannot choose who it is, inject CSS, break names, or speak for another client id", async () => {
    const { roomId, owner, editor, viewer } = await roomWithMembers();
    const observer = connectRoom(roomId, () => roomToken(roomId, owner));
    const victim = connectRoom(roomId, () => roomToken(roomId, editor));
    const attacker = connectRoom(roomId, () => roomToken(roomId, viewer));
    try {
      await Promise.all([observer.synced, victim.synced, attacker.synced]);
      victim.provider.setAwarenessField("user", { id: editor.id, name: editor.username, color: colorFor(editor.id) });
      const victimId = victim.doc.clientID;
      await eventually("the observer to see the victim", () => statesOf(observer).get(victimId)?.user?.name === editor.username);

      // The viewer's own entry: someone else's id, a name that is not a string, a colour that closes the CSS rule, and junk.
      attacker.provider.awareness!.setLocalState({
        user: { id: editor.id, name: { toString: 1 }, color: INJECTION },
        cursor: { fileId: "x} body{display:none", line: -5, column: "1" },
        selection: { anchor: {}, head: {} },
        extra: INJECTION,
      });
      // And raw updates for client ids that are not its own: a made-up one, and the victim's (a later clock than the victim's).
      const madeUp = 424242;
      attacker.socket.send(awarenessFor(roomId, madeUp, 1, { user: { id: owner.id, name: owner.username, color: INJECTION } }));
      attacker.socket.send(awarenessFor(roomId, victimId, 1_000_000, { user: { id: viewer.id, name: "not the victim", color: INJECTION } }));
      attacker.socket.send(awarenessFor(roomId, victimId, 1_000_001, null));

      const attackerId = attacker.doc.clientID;
      await eventually("the observer to see the attacker's entry", () => statesOf(observer).has(attackerId));
      // Let every forged update arrive (or not): the attacker's next honest update comes after them all.
      attacker.provider.awareness!.setLocalStateField("cursor", { fileId: "main-file", line: 3, column: 7 });
      await eventually("the attacker's cursor to arrive", () => statesOf(observer).get(attackerId)?.cursor?.line === 3);

      const seen = statesOf(observer);
      // Who the attacker is, as the server knows them: not who they claimed.
      expect(seen.get(attackerId)).toEqual({
        user: { id: viewer.id, name: viewer.username, color: colorFor(viewer.id) },
        cursor: { fileId: "main-file", line: 3, column: 7 },
      });
      // The victim is still the victim, and no made-up client appears.
      expect(seen.get(victimId)?.user).toEqual({ id: editor.id, name: editor.username, color: colorFor(editor.id) });
      expect(seen.has(madeUp)).toBe(false);
      expect(JSON.stringify([...seen.values()])).not.toContain("visibility");
      expect(JSON.stringify([...seen.values()])).not.toContain("not the victim");
      // A fresh member sees the same (what the server holds, not only what it relayed).
      const late = connectRoom(roomId, () => roomToken(roomId, owner));
      try {
        await late.synced;
        await eventually("the late member to see the attacker", () => statesOf(late).has(attackerId));
        expect(statesOf(late).get(attackerId)?.user).toEqual({ id: viewer.id, name: viewer.username, color: colorFor(viewer.id) });
        expect(statesOf(late).get(victimId)?.user?.id).toBe(editor.id);
        expect(statesOf(late).has(madeUp)).toBe(false);
      } finally {
        late.destroy();
      }
    } finally {
      for (const c of [observer, victim, attacker]) c.destroy();
    }
  });
});

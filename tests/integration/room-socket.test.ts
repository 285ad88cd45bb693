import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import * as Y from "yjs";
import { signRoomToken } from "../../lib/rooms/room-token";
import { api } from "../support/api";
import { connectRoom, eventually, roomToken, roomWithMembers } from "../support/rooms";

const textOf = (doc: Y.Doc) => {
  const [entry] = [...doc.getMap<Y.Map<unknown>>("files").values()];
  return entry?.get("text") as Y.Text | undefined;
};

describe("room socket (collab service): who may connect and what they may change", () => {
  it("an editor's edits reach everyone; a viewer's modified client cannot change the document", async () => {
    const { roomId, owner, editor, viewer } = await roomWithMembers();
    const [a, b, v] = [
      connectRoom(roomId, () => roomToken(roomId, owner)),
      connectRoom(roomId, () => roomToken(roomId, editor)),
      connectRoom(roomId, () => roomToken(roomId, viewer)),
    ];
    try {
      await Promise.all([a.synced, b.synced, v.synced]);
      textOf(b.doc)!.insert(0, "# editor was here\n");
      await eventually(
        "the owner and the viewer to see the editor's edit",
        () => textOf(a.doc)!.toString().startsWith("# editor") && textOf(v.doc)!.toString().startsWith("# editor"),
      );
      // A viewer's client that ignores its read-only editor and changes its copy anyway.
      textOf(v.doc)!.insert(0, "# VIEWER WRITES\n");
      v.doc.getMap("folders").set("viewer-folder", true);
      await new Promise((r) => setTimeout(r, 1000));
      expect(textOf(a.doc)!.toString()).not.toContain("VIEWER");
      expect(a.doc.getMap("folders").has("viewer-folder")).toBe(false);
      // A fresh connection (what the server holds) has no trace of it either.
      const fresh = connectRoom(roomId, () => roomToken(roomId, owner));
      await fresh.synced;
      expect(textOf(fresh.doc)!.toString()).not.toContain("VIEWER");
      fresh.destroy();
    } finally {
      for (const c of [a, b, v]) c.destroy();
    }
  });

  it("refuses non-members, forged tokens, expired tokens and tokens for another room", async () => {
    const { roomId, owner, outsider } = await roomWithMembers();
    const other = await roomWithMembers();
    const stranger = await signRoomToken("not the secret", { userId: outsider.id, username: outsider.username, roomId, role: "owner" });
    // A correctly signed token cannot make someone a member: membership is checked on connect.
    const secretFromDisk = (await import("node:fs")).readFileSync(`${inject("dataDir")}/secret`, "utf8").trim();
    const signedForOutsider = await signRoomToken(secretFromDisk, { userId: outsider.id, username: outsider.username, roomId, role: "owner" });
    const expired = await signRoomToken(secretFromDisk, { userId: owner.id, username: owner.username, roomId, role: "owner" }, -10);
    const otherRoom = await roomToken(other.roomId, other.owner);
    for (const token of [stranger, signedForOutsider, expired, otherRoom, "garbage"]) {
      const c = connectRoom(roomId, token, { direct: true });
      await eventually("the server to refuse the token", () => c.authFailures.length > 0 || c.closeEvents.length > 0);
      expect(c.provider.isSynced).toBe(false);
      c.destroy();
    }
    // And the API never issues a token to a non-member.
    expect((await api("POST", `/api/v1/rooms/${roomId}/token`, { token: outsider.token, body: {} })).status).toBe(404);
  });

  it("a removed member's socket is closed and cannot come back; a changed role applies on reconnect", async () => {
    const { roomId, owner, editor, viewer } = await roomWithMembers();
    const e = connectRoom(roomId, () => roomToken(roomId, editor).catch(() => "no-longer-a-member"));
    const v = connectRoom(roomId, () => roomToken(roomId, viewer));
    try {
      await Promise.all([e.synced, v.synced]);
      expect((await api("DELETE", `/api/v1/rooms/${roomId}/members/${editor.id}`, { token: owner.token })).status).toBe(204);
      await eventually("the removed editor's socket to close", () => e.closeEvents.length > 0);
      // Promote the viewer: their socket is closed and reconnects with editor rights.
      expect((await api("PATCH", `/api/v1/rooms/${roomId}/members/${viewer.id}`, { token: owner.token, body: { role: "editor" } })).status).toBe(200);
      await eventually("the viewer's socket to be re-opened", () => v.closeEvents.length > 0 && v.provider.isSynced, 15_000);
      textOf(v.doc)!.insert(0, "# promoted\n");
      const o = connectRoom(roomId, () => roomToken(roomId, owner));
      await o.synced;
      await eventually("the promoted user's edit to count", () => textOf(o.doc)!.toString().startsWith("# promoted"));
      o.destroy();
    } finally {
      e.destroy();
      v.destroy();
    }
  });

  it("deleting the room closes everyone's socket", async () => {
    const { roomId, owner, editor } = await roomWithMembers();
    const e = connectRoom(roomId, () => roomToken(roomId, editor).catch(() => "gone"));
    try {
      await e.synced;
      expect((await api("DELETE", `/api/v1/rooms/${roomId}`, { token: owner.token })).status).toBe(204);
      await eventually("the socket to close with the room deleted", () => e.closeEvents.some((c) => c.code === 4004));
    } finally {
      e.destroy();
    }
  });
});

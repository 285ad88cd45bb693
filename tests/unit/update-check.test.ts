import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { checkUpdate } from "../../collab/document/update-check";
import { Connection } from "@hocuspocus/server";
import pino from "pino";
import { NoPendingEdits } from "../../collab/extensions/no-pending";
import { CLOSE } from "../../lib/rooms/close-codes";
import { filesOf, ROOM_DOCUMENT_LIMITS, templateDocument } from "../../lib/rooms/document";
import { handUpdate, type Id } from "../support/yjs-updates";

/**
 * The room server's update check against Yjs itself (third attack round,
 * G1-G3): the check must never pass an update Yjs applies differently from
 * how it was judged. The invariant every case holds: an update the check
 * passes leaves Yjs nothing pending and the room within its limits. Each
 * attack is also applied to a copy by Yjs alone, to show the difference it
 * exploits is real (Yjs keeps it aside, uncounted).
 */
function room(): { doc: Y.Doc; text: Id } {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, templateDocument([{ name: "main.py", content: "print('hi')\n" }]));
  let text: Id | undefined;
  filesOf(doc).forEach((entry) => {
    const id = (entry.get("text") as Y.Text)._item!.id;
    text = { client: id.client, clock: id.clock };
  });
  return { doc, text: text! };
}

const pending = (doc: Y.Doc) => doc.store.pendingStructs !== null || doc.store.pendingDs !== null;

/** What Yjs alone does with the update, on a copy of the document. */
function yjsAlone(doc: Y.Doc, update: Uint8Array): Y.Doc {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  Y.applyUpdate(copy, update);
  return copy;
}

/** Judges the update and, if it passes, applies it: what passes must leave nothing pending and the room within its limits. */
function judgeAndApply(doc: Y.Doc, update: Uint8Array) {
  const verdict = checkUpdate(doc, update);
  if (verdict.ok) {
    Y.applyUpdate(doc, update);
    expect(pending(doc)).toBe(false);
    expect(filesOf(doc).size).toBeLessThanOrEqual(ROOM_DOCUMENT_LIMITS.files);
  }
  return verdict;
}

describe("the update check against Yjs", () => {
  it("an edit made by Yjs itself passes and applies", () => {
    const { doc } = room();
    const editor = new Y.Doc();
    Y.applyUpdate(editor, Y.encodeStateAsUpdate(doc));
    const before = Y.encodeStateVector(editor);
    filesOf(editor).forEach((entry) => (entry.get("text") as Y.Text).insert(0, "# hello\n"));
    const verdict = judgeAndApply(doc, Y.encodeStateAsUpdate(editor, before));
    expect(verdict.ok).toBe(true);
    filesOf(doc).forEach((entry) => expect((entry.get("text") as Y.Text).toString()).toBe("# hello\nprint('hi')\n"));
  });

  it("G2: a client in two sections (Yjs keeps only the last) cannot pass pending characters", () => {
    const { doc, text } = room();
    const C = 4242;
    const update = handUpdate([
      { client: C, clock: 0, structs: [{ kind: "string", text: "a", parent: text }] },
      { client: C, clock: 1, structs: [{ kind: "string", text: "A".repeat(100_000), origin: { client: C, clock: 0 } }] },
    ]);
    expect(yjsAlone(doc, update).store.pendingStructs).not.toBeNull();
    expect(judgeAndApply(doc, update)).toMatchObject({ ok: false, problem: "shape", detail: expect.stringContaining("two sections") });
  });

  it("G1: deletions covered only by a section Yjs drops cannot pass as pending deletions", () => {
    const { doc, text } = room();
    const C = 100_000;
    const ranges: Array<[number, number]> = Array.from({ length: 1000 }, (_, i) => [2 * i, 1]);
    const update = handUpdate(
      [
        { client: C, clock: 0, structs: [{ kind: "deleted", length: 2010, parent: text }] },
        { client: C, clock: 0, structs: [] },
      ],
      [{ client: C, ranges }],
    );
    expect(yjsAlone(doc, update).store.pendingDs).not.toBeNull();
    expect(judgeAndApply(doc, update)).toMatchObject({ ok: false, problem: "shape" });
  });

  it("G2: a struct the room already has, naming a neighbour that exists nowhere, holds the rest back: not applied", () => {
    const { doc, text } = room();
    const C = 777;
    expect(judgeAndApply(doc, handUpdate([{ client: C, clock: 0, structs: [{ kind: "string", text: "z", parent: text }] }])).ok).toBe(true);
    const update = handUpdate([
      {
        client: C,
        clock: 0,
        structs: [
          { kind: "string", text: "z", origin: { client: 99_999, clock: 5 } },
          { kind: "string", text: "B".repeat(100_000), origin: { client: C, clock: 0 } },
        ],
      },
    ]);
    expect(yjsAlone(doc, update).store.pendingStructs).not.toBeNull();
    expect(judgeAndApply(doc, update)).toMatchObject({ ok: false, problem: "missing" });
  });

  it("G3: file entries held back behind a dropped section cannot land past the file limit later", () => {
    const { doc, text } = room();
    const clients: number[] = [];
    for (let n = 0; n < 20; n++) {
      const C = 5000 + n;
      clients.push(C);
      const entries = Array.from({ length: 90 }, (_, i) => ({ kind: "type" as const, type: "map" as const, parent: "files", parentSub: `id-${n}-${i}` }));
      const update = handUpdate([
        { client: C, clock: 0, structs: [{ kind: "string", text: "a", parent: text }] },
        { client: C, clock: 1, structs: entries },
      ]);
      expect(judgeAndApply(doc, update).ok).toBe(false);
    }
    // What would have released them all: applied or not, the room stays within its limits.
    judgeAndApply(doc, handUpdate(clients.map((client) => ({ client, clock: 0, structs: [{ kind: "string" as const, text: "a", parent: text }] }))));
    expect(filesOf(doc).size).toBe(1);
  });
});

describe("the backstop behind the check (collab/extensions/no-pending.ts)", () => {
  /** A room document with the extension attached, as Hocuspocus attaches it when the room loads. */
  async function guarded() {
    const { doc, text } = room();
    await new NoPendingEdits(pino({ level: "silent" })).afterLoadDocument({ document: doc, documentName: "room" } as never);
    const closes: Array<[number, string]> = [];
    // The connection an update came from, as Hocuspocus passes it as the transaction's origin.
    const connection = Object.assign(Object.create(Connection.prototype), {
      webSocket: { close: (code: number, reason: string) => closes.push([code, reason]) },
    });
    const first = (filesOf(doc).values().next().value!.get("text") as Y.Text)._start!.id;
    return { doc, text, closes, connection, first: { client: first.client, clock: first.clock } };
  }

  it("two new clients naming each other as right neighbours (fourth round, H1: the check passes it): dropped, the sender closed (4024)", async () => {
    const { doc, closes, connection, first } = await guarded();
    const cycle = handUpdate(
      [
        { client: 2000, clock: 0, structs: [{ kind: "string", text: "A".repeat(100_000), origin: first, rightOrigin: { client: 1000, clock: 0 } }] },
        { client: 1000, clock: 0, structs: [{ kind: "string", text: "x", origin: first, rightOrigin: { client: 2000, clock: 0 } }] },
      ],
      [{ client: 2000, ranges: [[0, 1]] }],
    );
    expect(yjsAlone(doc, cycle).store.pendingStructs).not.toBeNull();
    Y.applyUpdate(doc, cycle, connection);
    expect(pending(doc)).toBe(false);
    expect(closes).toEqual([[CLOSE.missingEdits.code, CLOSE.missingEdits.reason]]);
    // Nothing of it is stored or sent with the room.
    expect(Y.encodeStateAsUpdate(doc).byteLength).toBeLessThan(1000);
  });

  it("ordinary edits pass untouched and close nobody", async () => {
    const { doc, closes, connection } = await guarded();
    const editor = new Y.Doc();
    Y.applyUpdate(editor, Y.encodeStateAsUpdate(doc));
    const before = Y.encodeStateVector(editor);
    filesOf(editor).forEach((entry) => (entry.get("text") as Y.Text).insert(0, "x"));
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(editor, before), connection);
    expect(closes).toEqual([]);
    filesOf(doc).forEach((entry) => expect((entry.get("text") as Y.Text).toString()).toBe("xprint('hi')\n"));
  });
});

import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { checkUpdate } from "../../collab/document/update-check";
import { Connection } from "@hocuspocus/server";
import pino from "pino";
import { NoPendingEdits } from "../../collab/extensions/no-pending";
import { CLOSE } from "../../lib/rooms/close-codes";
import { filesOf, ROOM_DOCUMENT_LIMITS, RUN, templateDocument } from "../../lib/rooms/document";
import { readRunConfig, RUN_CONFIG_LIMITS, writeRunConfig } from "../../lib/rooms/run-config";
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

describe("the run configuration root (run: entry, language, args, stdin)", () => {
  /** An editor's change on a copy of the room, judged and (if it passes) applied to the room. */
  function edit(doc: Y.Doc, change: (editor: Y.Doc) => void) {
    const editor = new Y.Doc();
    Y.applyUpdate(editor, Y.encodeStateAsUpdate(doc));
    const before = Y.encodeStateVector(editor);
    change(editor);
    return judgeAndApply(doc, Y.encodeStateAsUpdate(editor, before));
  }
  const run = (doc: Y.Doc) => doc.getMap<unknown>(RUN);

  it("takes a whole configuration, changes to it and going back to the defaults", () => {
    const { doc } = room();
    expect(edit(doc, (e) => writeRunConfig(e, { entry: "main.py", language: "c", args: ["1", "two words"], stdin: "3\n4\n" })).ok).toBe(true);
    expect(readRunConfig(doc)).toEqual({ entry: "main.py", language: "c", args: ["1", "two words"], stdin: "3\n4\n" });
    // A change replaces the value (its neighbour is the old one, found in the document).
    expect(edit(doc, (e) => writeRunConfig(e, { language: "python", stdin: "x".repeat(RUN_CONFIG_LIMITS.stdinBytes) })).ok).toBe(true);
    expect(readRunConfig(doc).language).toBe("python");
    expect(edit(doc, (e) => writeRunConfig(e, { entry: undefined, args: [], stdin: "" })).ok).toBe(true);
    expect(readRunConfig(doc)).toEqual({ entry: undefined, language: "python", args: [], stdin: "" });
  });

  const REFUSED: Array<[string, (e: Y.Doc) => void, string]> = [
    ["input past the limit (a huge stdin)", (e) => run(e).set("stdin", "x".repeat(RUN_CONFIG_LIMITS.stdinBytes + 1)), "run input larger"],
    ["input past the limit in UTF-8 bytes", (e) => run(e).set("stdin", "é".repeat(RUN_CONFIG_LIMITS.stdinBytes / 2 + 1)), "run input larger"],
    ["a 2 MB stdin", (e) => run(e).set("stdin", "y".repeat(2_000_000)), "run input larger"],
    ["a language that is a number", (e) => run(e).set("language", 42), "not a string"],
    ["a language that is not a name", (e) => run(e).set("language", "python; rm -rf /"), "not a language name"],
    ["a language name too long", (e) => run(e).set("language", "p".repeat(RUN_CONFIG_LIMITS.languageLength + 1)), "not a language name"],
    ["args that are a string", (e) => run(e).set("args", "1 2"), "not a list"],
    [
      "more args than a run takes",
      (e) =>
        run(e).set(
          "args",
          Array.from({ length: RUN_CONFIG_LIMITS.args + 1 }, () => "a"),
        ),
      "more than",
    ],
    ["an arg too long", (e) => run(e).set("args", ["a".repeat(RUN_CONFIG_LIMITS.argLength + 1)]), "longer than"],
    ["an arg that is an object", (e) => run(e).set("args", [{ evil: true }]), "not a string"],
    ["an arg with NUL", (e) => run(e).set("args", ["a\0b"]), "NUL"],
    ["an entry that escapes the room", (e) => run(e).set("entry", "../../etc/passwd"), "a run entry"],
    ["an entry that is a list", (e) => run(e).set("entry", ["main.py"]), "not a string"],
    ["another key", (e) => run(e).set("env", "LD_PRELOAD=x"), "other than entry"],
    ["a nested map", (e) => run(e).set("args", new Y.Map()), "not one plain value"],
    ["a Y.Text as the input", (e) => run(e).set("stdin", new Y.Text("hi")), "not one plain value"],
    ["the run root as an array", (e) => e.getArray("run").insert(0, ["x"]), "other than entry"],
    ["a wrongly typed value replacing a good one", (e) => run(e).set("language", null), "not a string"],
  ];

  it.each(REFUSED)("refuses %s and keeps nothing of it", (_what, change, detail) => {
    const { doc } = room();
    expect(edit(doc, (e) => writeRunConfig(e, { language: "c" })).ok).toBe(true);
    const before = Y.encodeStateAsUpdate(doc);
    expect(edit(doc, change)).toMatchObject({ ok: false, problem: "shape", detail: expect.stringContaining(detail) });
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before);
    expect(readRunConfig(doc).language).toBe("c");
  });
});

import { afterAll, describe, expect, inject, it } from "vitest";
import * as Y from "yjs";
import { addFile, filesOf, foldersOf, RUN } from "../../lib/rooms/document";
import { api } from "../support/api";
import { authenticatedRawSocket, changeOf, connectRoom, eventually, type RoomClient, roomToken, roomWithMembers } from "../support/rooms";

/**
 * The run configuration (root `run` of a room's document, checked by
 * collab/document/update-check.ts) and POST /api/v1/rooms/:id/runs {entry,
 * language, args, stdin} as a hostile member uses them: values no page would
 * write sent straight to the room socket, entries that point out of the room
 * or at something that is not one of its files, languages and args past the
 * rules, and entry names chosen to be read as something else in the sandbox.
 */
type Room = Awaited<ReturnType<typeof roomWithMembers>>;
const clients: RoomClient[] = [];
afterAll(() => {
  for (const c of clients) c.destroy();
});

async function editorClient(r: Room): Promise<RoomClient> {
  const client = connectRoom(r.roomId, () => roomToken(r.roomId, r.editor));
  clients.push(client);
  await client.synced;
  return client;
}

async function finished(id: string, token: string) {
  let view: any;
  await eventually(
    "the run to finish",
    async () => {
      view = (await api("GET", `/api/v1/executions/${id}`, { token })).json;
      return !["queued", "running"].includes(view?.status);
    },
    90_000,
  );
  return view;
}

const expectError = (res: { status: number; json: any }, status: number, code: string, what: string) =>
  expect({ status: res.status, code: res.json?.error?.code }, what).toEqual({ status, code });

describe("the run configuration through the room socket", () => {
  it("a value nested 200,000 deep is refused whole, and the room goes on", async () => {
    const room = await roomWithMembers();
    const socket = await authenticatedRawSocket(inject("collabUrl"), room.roomId, await roomToken(room.roomId, room.editor));
    // Yjs would recurse as deep to encode it: the update is written by hand from a small one,
    // its args value (an array holding one string) replaced by arrays nested 200,000 deep.
    const doc = new Y.Doc();
    const small = changeOf(doc, (d) => d.getMap(RUN).set("args", ["ZZZZ"]));
    const value = Buffer.from([117, 1, 119, 4, 90, 90, 90, 90]);
    const at = Buffer.from(small).indexOf(value);
    expect(at).toBeGreaterThan(0);
    const depth = 200_000;
    const nested = Buffer.concat([Buffer.alloc(depth * 2, Buffer.from([117, 1])), Buffer.from([117, 0])]);
    const hostile = Buffer.concat([Buffer.from(small).subarray(0, at), nested, Buffer.from(small).subarray(at + value.length)]);
    const answer = await socket.sendUpdate(new Uint8Array(hostile));
    expect(answer).toMatchObject({ code: 4022 });
    // Nothing of it was kept, and an editor's proper change still goes through.
    const editor = await editorClient(room);
    expect(editor.doc.getMap(RUN).size).toBe(0);
    editor.doc.getMap(RUN).set("args", ["1", "2"]);
    await eventually("the change is stored", () => editor.provider.unsyncedChanges === 0);
    const other = connectRoom(room.roomId, () => roomToken(room.roomId, room.owner));
    clients.push(other);
    await other.synced;
    await eventually("the owner sees the args", () => JSON.stringify(other.doc.getMap(RUN).get("args")) === '["1","2"]');
  });
});

describe("POST /api/v1/rooms/:id/runs with a hostile configuration", () => {
  it("an entry that is not one of this room's files does not run: out of the room, a folder, another room's file", async () => {
    const room = await roomWithMembers();
    const other = await roomWithMembers();
    const otherClient = await editorClient(other);
    otherClient.doc.transact(() => addFile(otherClient.doc, "only-there.py", 'print("other room")\n'));
    const client = await editorClient(room);
    client.doc.transact(() => foldersOf(client.doc).set("src", true));
    await eventually("the changes are stored", () => client.provider.unsyncedChanges === 0 && otherClient.provider.unsyncedChanges === 0);
    const run = (body: unknown) => api("POST", `/api/v1/rooms/${room.roomId}/runs`, { token: room.editor.token, body });
    for (const entry of ["only-there.py", "src", "src/", "main.py/"]) {
      const res = await run({ entry });
      expect(res.status, entry).toBe(400);
      expect(["entry_not_found", "invalid_request"]).toContain(res.json.error.code);
    }
    expectError(await run({ entry: "only-there.py" }), 400, "entry_not_found", "another room's file");
    expectError(await run({ entry: "src" }), 400, "entry_not_found", "a folder");
    for (const entry of ["/main.py", "/etc/passwd", "./main.py", "a//main.py", "src/../main.py", "main.py\u0000", "\ud800.py", "..\\main.py"]) {
      expectError(await run({ entry }), 400, "invalid_request", JSON.stringify(entry));
    }
    for (const language of ["PYTHON ", "python\n", "__proto__", "constructor", "toString", "python;id"]) {
      const res = await run({ language });
      expect(res.status, JSON.stringify(language)).toBe(400);
      expect(["unknown_language", "invalid_request"]).toContain(res.json.error.code);
    }
    for (const args of [["a\u0000b"], ["\udc00"], ["x".repeat(4097)], Array(101).fill("a"), [1], "1 2"]) {
      expectError(await run({ args }), 400, "invalid_request", JSON.stringify(args).slice(0, 40));
    }
    const big = await run({ stdin: "x".repeat(1024 * 1024 + 1) });
    expect([400, 413]).toContain(big.status);
    // Nothing of the above ran.
    const runs = await api("GET", `/api/v1/rooms/${room.roomId}/runs`, { token: room.owner.token });
    expect(runs.json.runs).toEqual([]);
  });

  /**
   * The launcher runs the entry as `python3 -u "$SAM_ENTRY" "$@"` (node,
   * bash alike): quoted, so no shell text in a name is ever run, but a name
   * starting with "-" was read by the interpreter as an option. An entry
   * named "-c" made python run the first arg as code instead of the file, so
   * the args everyone sees in the shared configuration were the program. The
   * runner now hands such an entry over as "./-c".
   */
  it("an entry name with shell text, spaces or a leading dash runs as that file, with the args as args", async () => {
    const room = await roomWithMembers();
    const client = await editorClient(room);
    // (Names with control characters, a newline among them, are refused by the room server: room-upload-bypass.test.ts.)
    const names = ["-c", "--version", "-m.py", "a b $(echo pwned) `id`; x=1 && 'q' \"q\" |.py"];
    client.doc.transact(() => {
      for (const name of names) addFile(client.doc, name, `import sys\nprint("file", ${JSON.stringify(name)}, sys.argv[1:])\n`);
    });
    await eventually("the files are stored", () => client.provider.unsyncedChanges === 0 && filesOf(client.doc).size === names.length + 1);
    for (const entry of names) {
      const args = ["print('the args ran as code')", "-V"];
      const started = await api("POST", `/api/v1/rooms/${room.roomId}/runs`, { token: room.editor.token, body: { entry, language: "python", args } });
      expect(started.status, JSON.stringify(entry)).toBe(202);
      const view = await finished(started.json.id, room.editor.token);
      expect({ entry, status: view.status, stdout: view.stdout }).toEqual({
        entry,
        status: "succeeded",
        stdout: `file ${entry} ["print('the args ran as code')", '-V']\n`,
      });
    }
  });
});

import { describe, expect, it } from "vitest";
import type * as Y from "yjs";
import { addFile, filesOf } from "../../lib/rooms/document";
import { readRunConfig, runMapOf, writeRunConfig } from "../../lib/rooms/run-config";
import { api } from "../support/api";
import { connectRoom, eventually, roomToken, roomWithMembers } from "../support/rooms";

/**
 * POST /api/v1/rooms/:id/runs with a run configuration (entry, language,
 * args, stdin): a room holding files of two languages runs either, as asked;
 * what cannot run gets a 400 that says what to fix; only editors and the
 * owner run; only they change the shared configuration in the document.
 */
const C_PROGRAM =
  '#include <stdio.h>\nint main(int argc, char **argv) {\n  int a = 0, b = 0;\n  if (scanf("%d %d", &a, &b) != 2) return 3;\n  printf("C argc=%d first=%s sum=%d\\n", argc, argc > 1 ? argv[1] : "-", a + b);\n  return 0;\n}\n';
const PY_PROGRAM = 'import sys\nprint("PY", sys.argv[1:], input())\n';

/** A python room whose document holds main.py and main.c, with its editor's connection. */
async function twoLanguageRoom() {
  const members = await roomWithMembers("python");
  const client = connectRoom(members.roomId, () => roomToken(members.roomId, members.editor));
  await client.synced;
  client.doc.transact(() => {
    const [entry] = [...filesOf(client.doc).values()];
    const text = entry!.get("text") as Y.Text;
    text.delete(0, text.length);
    text.insert(0, PY_PROGRAM);
    addFile(client.doc, "main.c", C_PROGRAM);
  });
  await eventually("the files to reach the server", () => client.provider.unsyncedChanges === 0);
  return { ...members, client };
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

const expectError = (res: { status: number; json: any }, status: number, code: string) =>
  expect({ status: res.status, code: res.json?.error?.code }).toEqual({ status, code });

describe("room runs with a run configuration", () => {
  it("run the C file with args and input in a python room, the python file as asked, and the room's language by default", async () => {
    const { roomId, editor, client } = await twoLanguageRoom();
    try {
      const c = await api("POST", `/api/v1/rooms/${roomId}/runs`, {
        token: editor.token,
        body: { entry: "main.c", language: "c", args: ["hello world", "x"], stdin: "20 22\n" },
      });
      expect(c.status).toBe(202);
      // Only the language: its entry file (main.c) is where the run starts.
      const cByLanguage = await api("POST", `/api/v1/rooms/${roomId}/runs`, { token: editor.token, body: { language: "c", stdin: "1 2\n" } });
      expect(cByLanguage.status).toBe(202);
      const py = await api("POST", `/api/v1/rooms/${roomId}/runs`, {
        token: editor.token,
        body: { entry: "main.py", language: "python", args: ["a"], stdin: "in\n" },
      });
      expect(py.status).toBe(202);
      const byDefault = await api("POST", `/api/v1/rooms/${roomId}/runs`, { token: editor.token, body: { stdin: "dflt\n" } });
      expect(byDefault.status).toBe(202);

      const cView = await finished(c.json.id, editor.token);
      expect(cView.status).toBe("succeeded");
      expect(cView.language).toBe("c");
      expect(cView.stdout).toBe("C argc=3 first=hello world sum=42\n");
      expect((await finished(cByLanguage.json.id, editor.token)).stdout).toBe("C argc=1 first=- sum=3\n");
      const pyView = await finished(py.json.id, editor.token);
      expect(pyView.language).toBe("python");
      expect(pyView.stdout).toBe("PY ['a'] in\n");
      expect((await finished(byDefault.json.id, editor.token)).stdout).toBe("PY [] dflt\n");
    } finally {
      client.destroy();
    }
  });

  it("answer what cannot run with a 400 that names what to fix", async () => {
    const { roomId, editor, client } = await twoLanguageRoom();
    try {
      const run = (body: unknown) => api("POST", `/api/v1/rooms/${roomId}/runs`, { token: editor.token, body });
      const missing = await run({ entry: "nope.c", language: "c" });
      expectError(missing, 400, "entry_not_found");
      expect(missing.json.error.message).toContain('"nope.c" is not in the room');
      const unknown = await run({ language: "cobol" });
      expectError(unknown, 400, "unknown_language");
      expect(unknown.json.error.message).toContain("Valid languages:");
      expectError(await run({ entry: "../etc/passwd" }), 400, "invalid_request");
      expectError(await run({ entry: "" }), 400, "invalid_request");
      expectError(await run({ entry: "a".repeat(5000) }), 400, "invalid_request");
      expectError(await run({ entry: 42 }), 400, "invalid_request");
      expectError(await run({ language: ["c"] }), 400, "invalid_request");
      expectError(await run({ language: "c".repeat(40) }), 400, "invalid_request");
      expectError(await run({ args: Array.from({ length: 101 }, () => "a") }), 400, "invalid_request");
      expectError(await run({ config: "anything" }), 400, "invalid_request");
    } finally {
      client.destroy();
    }
  });

  it("are for editors and the owner: a viewer gets 403, a stranger 404, no one signed in 401", async () => {
    const { roomId, owner, viewer, outsider, client } = await twoLanguageRoom();
    try {
      const body = { entry: "main.c", language: "c", stdin: "1 1\n" };
      expectError(await api("POST", `/api/v1/rooms/${roomId}/runs`, { token: viewer.token, body }), 403, "forbidden");
      expectError(await api("POST", `/api/v1/rooms/${roomId}/runs`, { token: outsider.token, body }), 404, "not_found");
      expectError(await api("POST", `/api/v1/rooms/${roomId}/runs`, { body }), 401, "unauthorized");
      // Even a bad configuration from a viewer or a stranger says nothing about the room's files.
      expectError(await api("POST", `/api/v1/rooms/${roomId}/runs`, { token: viewer.token, body: { entry: "nope.c" } }), 403, "forbidden");
      expectError(await api("POST", `/api/v1/rooms/${roomId}/runs`, { token: outsider.token, body: { entry: "nope.c" } }), 404, "not_found");
      const started = await api("POST", `/api/v1/rooms/${roomId}/runs`, { token: owner.token, body });
      expect(started.status).toBe(202);
      expect((await finished(started.json.id, owner.token)).stdout).toBe("C argc=1 first=- sum=2\n");
    } finally {
      client.destroy();
    }
  });

  it("is shared in the document: an editor's change reaches everyone, a viewer's modified client changes nothing", async () => {
    const { roomId, owner, viewer, client } = await twoLanguageRoom();
    const watcher = connectRoom(roomId, () => roomToken(roomId, owner));
    const v = connectRoom(roomId, () => roomToken(roomId, viewer));
    try {
      await Promise.all([watcher.synced, v.synced]);
      writeRunConfig(client.doc, { entry: "main.c", language: "c", args: ["1"], stdin: "2 3" });
      await eventually("the owner and the viewer to see the configuration", () =>
        [watcher, v].every((c) => JSON.stringify(readRunConfig(c.doc)) === JSON.stringify({ entry: "main.c", language: "c", args: ["1"], stdin: "2 3" })),
      );
      // A viewer's client that ignores its read-only form and writes anyway.
      runMapOf(v.doc).set("language", "python");
      runMapOf(v.doc).set("stdin", "viewer input");
      writeRunConfig(client.doc, { args: ["2"] });
      await eventually("the owner to see the editor's next change", () => readRunConfig(watcher.doc).args[0] === "2");
      expect(readRunConfig(watcher.doc)).toMatchObject({ language: "c", stdin: "2 3" });
      const fresh = connectRoom(roomId, () => roomToken(roomId, owner));
      await fresh.synced;
      expect(readRunConfig(fresh.doc)).toEqual({ entry: "main.c", language: "c", args: ["2"], stdin: "2 3" });
      fresh.destroy();
    } finally {
      for (const c of [client, watcher, v]) c.destroy();
    }
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { addFile } from "../../lib/rooms/document";
import { api, registerUser, webUrl } from "../support/api";
import { connectRoom, eventually, roomToken, roomWithMembers } from "../support/rooms";

/**
 * A program's input and output are bytes, end to end: NUL, control bytes and
 * invalid UTF-8 in stdout, stderr, compiler output, stdin and files survive
 * PostgreSQL and Redis, through ?wait=true, GET and the event stream, exactly
 * in the base64 form and as UTF-8 text (invalid sequences as U+FFFD) in the
 * default form. Once, a NUL in the output made the run fail three times with
 * PostgreSQL's message shown, and a NUL in stdin or a file was a 500.
 */
let token: string;
beforeAll(async () => {
  token = (await registerUser()).token;
});

const b64 = (bytes: Buffer | string) => Buffer.from(bytes).toString("base64");
const bytesOf = (base64: string) => Buffer.from(base64, "base64");
const run = (body: unknown, query = "") => api("POST", `/api/v1/executions${query}`, { body, token });

/** Reads a server-sent-events response to its end: [{id, event, data}]. */
async function readSse(path: string) {
  const res = await fetch(webUrl() + path, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((block) => /^event: /m.test(block))
    .map((block) => ({ event: block.match(/^event: (.*)$/m)![1]!, data: JSON.parse(block.match(/^data: (.*)$/m)![1]!) }));
}

const joined = (events: Array<{ event: string; data: unknown }>, type: string) =>
  events
    .filter((e) => e.event === type)
    .map((e) => e.data as string)
    .join("");

// What the C program below writes: NUL, other control bytes, an escape sequence, and invalid UTF-8.
const OUT = Buffer.from([0x61, 0x00, 0x62, 0x01, 0x07, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0xff, 0xfe, 0xc3, 0x28, 0x0a]);
const ERR = Buffer.from([0x00, 0x00, 0x80, 0x65, 0x72, 0x72, 0x0a]);
const cArray = (b: Buffer) => `{${[...b].join(",")}}`;
const BYTE_PRINTER = `#include <unistd.h>
int main(void) {
  static const unsigned char out[] = ${cArray(OUT)};
  static const unsigned char err[] = ${cArray(ERR)};
  write(1, out, sizeof out);
  write(2, err, sizeof err);
  return 0;
}`;

describe("output bytes", () => {
  it("NUL, control bytes and invalid UTF-8 in stdout and stderr: stored once, exact in base64, readable as text (never internal_error)", async () => {
    const waited = await run({ language: "c", files: [{ name: "main.c", content: b64(BYTE_PRINTER) }] }, "?wait=true&encoding=base64");
    expect(waited.status).toBe(200);
    expect(waited.json).toMatchObject({ status: "succeeded", attempts: 1, error: null });
    expect(bytesOf(waited.json.stdout)).toEqual(OUT);
    expect(bytesOf(waited.json.stderr)).toEqual(ERR);
    const id = waited.json.id;

    const text = await api("GET", `/api/v1/executions/${id}`, { token });
    expect(text.json.stdout).toBe(OUT.toString("utf8"));
    expect(text.json.stdout).toBe("a\u0000b\u0001\u0007\u001b[31m\ufffd\ufffd\ufffd(\n");
    expect(text.json.stderr).toBe("\u0000\u0000\ufffderr\n");
    expect(text.text).toContain("\\u0000");
    const base64 = await api("GET", `/api/v1/executions/${id}?encoding=base64`, { token });
    expect(bytesOf(base64.json.stdout)).toEqual(OUT);

    for (const [query, decode] of [
      ["?encoding=base64", (s: string) => bytesOf(s)],
      ["", (s: string) => Buffer.from(s, "utf8")],
    ] as const) {
      const events = await readSse(`/api/v1/executions/${id}/events${query}`);
      const result = events.at(-1)!;
      expect(result.event).toBe("result");
      const expected = query ? OUT : Buffer.from(OUT.toString("utf8"));
      expect(decode((result.data as { stdout: string }).stdout)).toEqual(expected);
    }
  });

  it("streams the exact bytes live, in both forms", async () => {
    const started = await run({ language: "c", files: [{ name: "main.c", content: BYTE_PRINTER.replace("return 0;", "usleep(300000); return 0;") }] });
    expect(started.status).toBe(202);
    const [asBase64, asText] = await Promise.all([
      readSse(`/api/v1/executions/${started.json.id}/events?encoding=base64`),
      readSse(`/api/v1/executions/${started.json.id}/events`),
    ]);
    const streamed = asBase64.filter((e) => e.event === "stdout").map((e) => bytesOf(e.data as string));
    expect(Buffer.concat(streamed)).toEqual(OUT);
    expect(Buffer.concat(asBase64.filter((e) => e.event === "stderr").map((e) => bytesOf(e.data as string)))).toEqual(ERR);
    expect(joined(asText, "stdout")).toBe(OUT.toString("utf8"));
    expect(asText.at(-1)).toMatchObject({ event: "result", data: { status: "succeeded", stdout: OUT.toString("utf8") } });
  });

  it("a character split across two writes is never broken, live or stored", async () => {
    // The euro sign is e2 82 ac: half of it, a pause, then the rest.
    const program = `#include <unistd.h>
int main(void) {
  write(1, "price: \\xe2\\x82", 9);
  usleep(400000);
  write(1, "\\xac 5\\n", 4);
  write(2, "\\xf0\\x9f", 2);
  usleep(400000);
  write(2, "\\x98\\x80\\n", 3);
  return 0;
}`;
    const started = await run({ language: "c", files: [{ name: "main.c", content: program }] });
    const events = await readSse(`/api/v1/executions/${started.json.id}/events`);
    expect(events.at(-1)!.data).toMatchObject({ status: "succeeded", stdout: "price: € 5\n", stderr: "😀\n" });
    const pieces = events.filter((e) => e.event === "stdout" || e.event === "stderr").map((e) => e.data as string);
    for (const piece of pieces) expect(piece).not.toContain("\ufffd");
    expect(joined(events, "stdout")).toBe("price: € 5\n");
    expect(joined(events, "stderr")).toBe("😀\n");
  });

  it("compiler output keeps its bytes", async () => {
    const source = Buffer.concat([Buffer.from("#error bad "), Buffer.from([0xff, 0x01, 0x1b]), Buffer.from(" byte\nint main(void) { return 0; }\n")]);
    const res = await run({ language: "c", files: [{ name: "main.c", content: b64(source) }] }, "?wait=true&encoding=base64");
    expect(res.json.status).toBe("compile_error");
    expect(bytesOf(res.json.compileOutput).includes(Buffer.from([0xff, 0x01, 0x1b]))).toBe(true);
    const text = await api("GET", `/api/v1/executions/${res.json.id}`, { token });
    expect(text.json.compileOutput).toContain("#error bad \ufffd\u0001\u001b byte");
  });
});

describe("input bytes", () => {
  const HEXDUMP = "import sys\nprint(sys.stdin.buffer.read().hex())\nprint(open('data.bin', 'rb').read().hex())";

  it("stdin and file contents as base64 reach the program exactly (NUL, control bytes, invalid UTF-8)", async () => {
    const stdin = Buffer.from([0x00, 0xff, 0x0a, 0x01, 0xc3, 0x00]);
    const data = Buffer.from([0xfe, 0x00, 0x00, 0x7f, 0x80]);
    const res = await run(
      {
        language: "python",
        files: [
          { name: "main.py", content: b64(HEXDUMP) },
          { name: "data.bin", content: b64(data) },
        ],
        stdin: b64(stdin),
      },
      "?wait=true&encoding=base64",
    );
    expect(res.status).toBe(200);
    expect(bytesOf(res.json.stdout).toString()).toBe(`${stdin.toString("hex")}\n${data.toString("hex")}\n`);
  });

  it("NUL in text stdin and text file content: accepted and passed on as UTF-8 (once a 500)", async () => {
    const res = await run(
      {
        language: "python",
        files: [
          { name: "main.py", content: HEXDUMP },
          { name: "data.bin", content: "a\u0000é" },
        ],
        stdin: "\u0000x\u0007",
      },
      "?wait=true",
    );
    expect(res.status).toBe(200);
    expect(res.json.stdout).toBe(`${Buffer.from("\u0000x\u0007").toString("hex")}\n${Buffer.from("a\u0000é").toString("hex")}\n`);
  });

  it.each([
    ["an encoding that does not exist", "?encoding=hex", { language: "python", files: [{ name: "main.py", content: "" }] }, "invalid_encoding", "base64"],
    [
      "file content that is not base64",
      "?encoding=base64",
      { language: "python", files: [{ name: "main.py", content: "print(1)" }] },
      "invalid_base64",
      "files[0].content",
    ],
    [
      "stdin that is not base64",
      "?encoding=base64",
      { language: "python", files: [{ name: "main.py", content: "" }], stdin: "a=b" },
      "invalid_base64",
      "stdin",
    ],
    ["a lone surrogate in text stdin", "", { language: "python", files: [{ name: "main.py", content: "" }], stdin: "\ud800" }, "invalid_text", "stdin"],
    [
      "a lone surrogate in an arg (once a 500)",
      "",
      { language: "python", files: [{ name: "main.py", content: "" }], args: ["\udc00"] },
      "invalid_request",
      "args",
    ],
    ["a lone surrogate in a file name", "", { language: "python", files: [{ name: "a\ud800.py", content: "" }] }, "invalid_request", "file names"],
  ])("refuses %s with a 400", async (_label, query, body, code, mentions) => {
    const res = await run(body, query);
    expect({ status: res.status, code: res.json?.error?.code }).toEqual({ status: 400, code });
    expect(res.json.error.message).toContain(mentions);
  });
});

describe("files that would be a file and a folder at once", () => {
  it.each([
    ["a and a/b", ["a", "a/b"], "a"],
    ["a/b and a/b/c", ["a/b", "a/b/c"], "a/b"],
    ["a/b/c and a (the folder named last)", ["a/b/c", "main.py", "a"], "a"],
  ])("refuses %s with 400 path_conflict before anything runs", async (_label, names, file) => {
    const res = await run({ language: "python", files: names.map((name) => ({ name, content: "print(1)" })) });
    expect({ status: res.status, code: res.json?.error?.code }).toEqual({ status: 400, code: "path_conflict" });
    expect(res.json.error.message).toContain(`"${file}" is a file`);
  });

  it("still accepts files side by side in folders", async () => {
    const res = await run(
      {
        language: "python",
        files: [
          { name: "main.py", content: "import a.b\nimport a.c" },
          { name: "a/b.py", content: "" },
          { name: "a/c.py", content: "print('ok')" },
          { name: "ab", content: "" },
        ],
      },
      "?wait=true",
    );
    expect(res.json).toMatchObject({ status: "succeeded", stdout: "ok\n" });
  });
});

describe("room runs", () => {
  it("take their files from the room document byte-safe: NUL and control characters in a file, bytes in stdin", async () => {
    const DATA = "a\u0000b\u0001é\u001b";
    const { roomId, editor } = await roomWithMembers("python");
    const client = connectRoom(roomId, () => roomToken(roomId, editor));
    try {
      await client.synced;
      const files = client.doc.getMap<Y.Map<unknown>>("files");
      const [entry] = [...files.values()];
      const text = entry!.get("text") as Y.Text;
      // Python refuses NUL in source, so the NUL goes in a data file beside it. A room's run keeps
      // its stdin open for typing: the program reads just the two bytes it was given.
      client.doc.transact(() => {
        text.delete(0, text.length);
        text.insert(0, "import sys\nprint(open('data.txt', 'rb').read().hex(), sys.stdin.buffer.read(2).hex())\nsys.stdout.buffer.write(b'\\x00\\xff\\n')\n");
        addFile(client.doc, "data.txt", DATA);
      });
      await eventually("the edit to reach the server", () => client.provider.unsyncedChanges === 0);
      const started = await api("POST", `/api/v1/rooms/${roomId}/runs?encoding=base64`, {
        token: editor.token,
        body: { stdin: b64(Buffer.from([0x00, 0xfe])) },
      });
      expect(started.status).toBe(202);
      let view: any;
      await eventually(
        "the run to finish",
        async () => {
          view = (await api("GET", `/api/v1/executions/${started.json.id}?encoding=base64`, { token: editor.token })).json;
          return !["queued", "running"].includes(view.status);
        },
        60_000,
      );
      expect(view.status).toBe("succeeded");
      expect(bytesOf(view.stdout)).toEqual(Buffer.concat([Buffer.from(`${Buffer.from(DATA).toString("hex")} 00fe\n`), Buffer.from([0x00, 0xff, 0x0a])]));
    } finally {
      client.destroy();
    }
  });

  it("refuse args with NUL (once a 500: args are stored as JSON) with a 400", async () => {
    const { roomId, editor } = await roomWithMembers("python");
    const res = await api("POST", `/api/v1/rooms/${roomId}/runs`, { token: editor.token, body: { args: ["a\u0000b"] } });
    expect({ status: res.status, code: res.json?.error?.code }).toEqual({ status: 400, code: "invalid_request" });
    expect(res.json.error.message).toContain("NUL");
  });
});
